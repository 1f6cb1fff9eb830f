import { redact } from "./redact";

export type LogLevel = "debug" | "info" | "warn" | "error";

/**
 * Writes one JSON line: `level`, `msg`, then the fields, redacted (see `redact`). Workers
 * Logs and `wrangler tail` index these fields; `console.error` and `console.warn` keep
 * their levels there too.
 *
 * @example
 * log("warn", "cache invalidation failed", { requestId, keys });
 */
export function log(level: LogLevel, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, ...(redact(fields) as Record<string, unknown>) });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** An error as one line for logs and job rows: its name and message, never a stack trace. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`.slice(0, 1_000);
  return String(error).slice(0, 1_000);
}
