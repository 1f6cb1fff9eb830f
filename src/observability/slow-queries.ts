import type { QueryObserver } from "../data/database";
import type { DependencyScope } from "../dependencies/scope";
import { readConfig } from "../config/config";
import { log } from "./logger";
import { metrics } from "./metrics-buffer";

/** Statements are logged up to this length; whitespace is collapsed first. */
const MAX_STATEMENT_CHARS = 2_000;

/**
 * Watches the queries made in `scope`: one slower than `SLOW_QUERY_MS` is logged (the SQL,
 * never its parameters, which stay `$1`, `$2`… as Neon's protocol sends them apart) and
 * counted, and kept among the latest for GET /admin/slow-queries.
 */
export function slowQueryObserver(scope: DependencyScope): QueryObserver {
  const thresholdMs = readConfig(scope.env).SLOW_QUERY_MS;
  return (ms, statements) => {
    if (ms < thresholdMs) return;
    const statement = statements()
      .map((sql) => sql.replace(/\s+/g, " ").trim())
      .join("; ")
      .slice(0, MAX_STATEMENT_CHARS);
    const requestId = scope.telemetry?.requestId ?? null;
    log("warn", "slow query", { requestId, durationMs: Math.round(ms), thresholdMs, statement });
    metrics.recordSlowQuery({ statement, durationMs: Math.round(ms), at: new Date().toISOString(), requestId });
  };
}
