import { afterEach, beforeEach, vi } from "vitest";

/**
 * Captures what the Worker writes to the console during each test of the file (the JSON
 * log lines), instead of printing it. Call once at the top of a test file.
 */
export function captureLogs(): { lines: () => string[]; logged: () => Record<string, unknown>[]; clear: () => void } {
  let lines: string[] = [];
  beforeEach(() => {
    lines = [];
    for (const method of ["log", "warn", "error"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });
  return {
    lines: () => lines,
    logged: () => lines.flatMap((line) => (line.startsWith("{") ? [JSON.parse(line) as Record<string, unknown>] : [])),
    clear: () => {
      lines = [];
    },
  };
}
