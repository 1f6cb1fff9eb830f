import { log } from "../observability/logger";

/** A structured logger bound to one job: every line names the job and its request. */
export interface JobLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** One JSON line per event (redacted), with the job's id, name, attempt and the request that enqueued it. */
export function jobLogger(bound: Record<string, unknown>): JobLogger {
  return {
    info: (msg, fields) => log("info", msg, { ...bound, ...fields }),
    warn: (msg, fields) => log("warn", msg, { ...bound, ...fields }),
    error: (msg, fields) => log("error", msg, { ...bound, ...fields }),
  };
}
