import { neon, neonConfig, NeonDbError, type NeonQueryFunction } from "@neondatabase/serverless";
import type { Bindings } from "../env";

/**
 * Postgres over Neon's HTTP API: every query is one `fetch`, so it is bounded by the signal
 * it is given. Multi-statement writes go through `sql.transaction([...])`, which Neon runs
 * as one non-interactive transaction in a single round trip.
 */
export type Database = NeonQueryFunction<false, false>;

/**
 * Creates the request's database client. `neon()` only builds a closure, so one per request
 * is free; it binds every query (and transaction) to `signal`.
 */
export function createDatabase(env: Bindings, signal: AbortSignal, observer?: QueryObserver): Database {
  if (env.NEON_HTTP_ENDPOINT) routeToLocalEndpoint(env.DATABASE_URL, env.NEON_HTTP_ENDPOINT);
  // Only `signal` (and the observer, under a symbol) go in fetchOptions: they are spread
  // last into fetch, and a `headers` key there would wipe out the Neon-* headers the
  // protocol depends on.
  return neon(env.DATABASE_URL, { fetchOptions: { signal, ...(observer ? { [QUERY_OBSERVER]: observer } : {}) } });
}

/**
 * Told of every query's duration; `statements` parses the request body only when called
 * (e.g. for a slow query): the SQL text, parameters left out.
 */
export type QueryObserver = (ms: number, statements: () => string[]) => void;

// The Neon driver has no per-query hook, but it spreads `fetchOptions` into the init of its
// one fetch per query (or transaction). A symbol-keyed observer rides along, and this fetch,
// installed once, times the call and hands it the statements. Nothing else changes.
const QUERY_OBSERVER = Symbol("queryObserver");

neonConfig.fetchFunction = async (url: string, init: RequestInit & { [QUERY_OBSERVER]?: QueryObserver }) => {
  const { [QUERY_OBSERVER]: observer, ...rest } = init;
  // eslint-disable-next-line edgekit/io-needs-signal -- `rest` holds the signal given in fetchOptions
  if (!observer) return fetch(url, rest);
  const started = performance.now();
  try {
    // eslint-disable-next-line edgekit/io-needs-signal -- as above
    return await fetch(url, rest);
  } finally {
    observer(performance.now() - started, () => statementsOf(rest.body));
  }
};

function statementsOf(body: unknown): string[] {
  if (typeof body !== "string") return [];
  try {
    const parsed = JSON.parse(body) as { query?: string; queries?: { query: string }[] };
    return parsed.queries ? parsed.queries.map((q) => q.query) : parsed.query ? [parsed.query] : [];
  } catch {
    return [];
  }
}

// Development and tests only (NEON_HTTP_ENDPOINT is never set in production): send queries
// for a connection string's host to the local stack instead of Neon's `api.` host.
// `neonConfig.fetchEndpoint` is global, so the endpoint is looked up by host and a test that
// points one request at a dead endpoint cannot redirect the others.
const localEndpoints = new Map<string, string>();
const neonDefaultEndpoint = neonConfig.fetchEndpoint;

function routeToLocalEndpoint(connectionString: string, endpoint: string): void {
  const host = new URL(connectionString).host;
  if (localEndpoints.get(host) === endpoint) return;
  localEndpoints.set(host, endpoint);
  neonConfig.fetchEndpoint = (hostname, port, options) => {
    const local = localEndpoints.get(port ? `${hostname}:${port}` : hostname);
    if (local) return local;
    return typeof neonDefaultEndpoint === "function"
      ? neonDefaultEndpoint(hostname, port, options)
      : neonDefaultEndpoint;
  };
}

/** SQLSTATE 23505: a unique constraint refused the write. */
export function isUniqueViolation(error: unknown): error is NeonDbError {
  return error instanceof NeonDbError && error.code === "23505";
}
