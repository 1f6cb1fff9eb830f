import { z } from "zod";
import type { Bindings } from "../env";

const milliseconds = z.coerce.number().int().positive();
/** A whole number ≥ 1. */
const count = z.coerce.number().int().min(1);
/** Attempts in all, the first included. */
const attempts = z.coerce.number().int().min(1).max(10);
/** A bulkhead's waiting line; 0 refuses at once when every slot is taken. */
const queued = z.coerce.number().int().min(0);
/** A comma-separated list in one variable; blanks dropped. */
const list = z
  .string()
  .default("")
  .transform((text) =>
    text
      .split(",")
      .map((item) => item.trim())
      .filter((item) => item !== ""),
  );

/**
 * Every tunable, from `[vars]` in wrangler.toml, in one schema: parsed once per isolate (per
 * bindings object), and a bad value fails loudly, naming the variable, instead of being
 * ignored. The policies (config/dependencies.ts, config/rate-limits.ts) are built from it.
 */
const ConfigSchema = z.object({
  /** Total time budget of a request whose route declares no other (`budget(...)` in its definition). */
  REQUEST_TIMEOUT_MS: milliseconds.default(5_000),
  /** Time budget of a route declared `budget("read")`: reads answer fast or fail fast (504). */
  READ_REQUEST_TIMEOUT_MS: milliseconds.default(3_000),
  /** Time budget of a route declared `budget("long")`: uploads and streamed exports. */
  LONG_REQUEST_TIMEOUT_MS: milliseconds.default(60_000),
  /** Deadline of each dependency probe in `GET /health`. */
  HEALTH_CHECK_TIMEOUT_MS: milliseconds.default(1_000),
  /** How long a product stays cached (writes drop it sooner). */
  PRODUCT_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(60),
  /**
   * How long past its TTL a cached entry is kept as a stale copy, served (`X-Cache: STALE`)
   * only when the database cannot answer; 0 keeps none. Writes drop the stale copy too.
   */
  CACHE_STALE_GRACE_SECONDS: z.coerce.number().int().min(0).max(604_800).default(86_400),
  /** Largest request body accepted, in bytes. */
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(64 * 1024),
  /** Largest file `POST /imports` accepts, in bytes. */
  IMPORT_MAX_BYTES: z.coerce.number().int().positive().default(10 * 1024 * 1024),
  /**
   * Request logs, metrics and Server-Timing. "off" exists to measure what they cost (the
   * benchmarks compare both) or to shed load in an emergency; errors are logged either way.
   */
  OBSERVABILITY: z.enum(["on", "off"]).default("on"),
  /**
   * Share (0–1) of successful requests and job attempts whose log line is written; 4xx,
   * 5xx, failed jobs, warnings and errors are always logged. 1 logs every one.
   */
  LOG_SAMPLE_RATE: z.coerce.number().min(0).max(1).default(1),
  /** A query slower than this (ms) is logged and counted as slow. */
  SLOW_QUERY_MS: milliseconds.default(500),
  /** Jobs one consumer invocation runs at once. */
  JOB_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(10),

  // Each dependency's policy (config/dependencies.ts): one attempt's deadline, attempts in
  // all (retries are only for idempotent calls and transient errors), and its bulkhead per
  // isolate: calls at once, and calls that may wait for a slot.
  NEON_TIMEOUT_MS: milliseconds.default(3_000),
  NEON_RETRY_ATTEMPTS: attempts.default(3),
  NEON_CONCURRENCY: count.default(20),
  NEON_QUEUE: queued.default(200),
  REDIS_TIMEOUT_MS: milliseconds.default(500),
  REDIS_RETRY_ATTEMPTS: attempts.default(2),
  REDIS_CONCURRENCY: count.default(20),
  REDIS_QUEUE: queued.default(200),
  REVIEWS_TIMEOUT_MS: milliseconds.default(800),
  REVIEWS_RETRY_ATTEMPTS: attempts.default(2),
  REVIEWS_CONCURRENCY: count.default(4),
  REVIEWS_QUEUE: queued.default(100),
  WEBHOOK_TIMEOUT_MS: milliseconds.default(5_000),
  WEBHOOK_RETRY_ATTEMPTS: attempts.default(3),
  WEBHOOK_CONCURRENCY: count.default(6),
  WEBHOOK_QUEUE: queued.default(200),
  /**
   * The reviews service's base URL(s), comma-separated: several share the load round-robin
   * and fail over to each other; empty: no reviews, and no calls.
   */
  REVIEWS_API_URL: list,
  /**
   * The reviews service's API key (a secret: `wrangler secret put REVIEWS_API_KEY`), sent as
   * `Authorization: Bearer <key>` with every call. Unset (the default): no credential sent.
   */
  REVIEWS_API_KEY: z.preprocess((value) => (value === "" ? undefined : value), z.string().min(1).optional()),

  // Every dependency's circuit breaker: it opens on this many failures in a row, or on this
  // failure rate over the window once it saw this many calls; it stays open BREAKER_BREAK_MS
  // (doubling on repeated opens, at most twelvefold), then lets this many probes through.
  BREAKER_BREAK_MS: milliseconds.default(10_000),
  BREAKER_CONSECUTIVE_FAILURES: count.default(5),
  BREAKER_FAILURE_RATE: z.coerce.number().gt(0).max(1).default(0.5),
  BREAKER_MIN_CALLS: count.default(20),
  BREAKER_WINDOW_MS: milliseconds.default(30_000),
  BREAKER_HALF_OPEN_PROBES: count.default(2),

  /** Requests per minute per client on the API routes, and on the operator routes. */
  RATE_LIMIT_API_PER_MINUTE: count.default(300),
  RATE_LIMIT_ADMIN_PER_MINUTE: count.default(30),

  /** Events each topic keeps for replay (`?since=`, `Last-Event-ID`). */
  EVENT_HISTORY_SIZE: count.default(1_000),
  /** Events a WebSocket subscriber may leave unacknowledged before it is closed as too slow (4008). */
  EVENT_MAX_UNACKED: count.default(2_000),

  /**
   * Signs page cursors (a secret: `wrangler secret put CURSOR_SECRET`), so clients can only
   * pass back cursors the API issued. Changing it invalidates cursors in flight, nothing else.
   */
  CURSOR_SECRET: z.string().min(32, "a random secret of at least 32 characters (e.g. `openssl rand -hex 32`)"),
  /**
   * Break-glass credential with every scope (a secret), for when keys cannot be used: it is
   * checked without the database or Redis. Unset (the default), it opens nothing.
   */
  ADMIN_TOKEN: z.preprocess(
    (value) => (value === "" ? undefined : value),
    z.string().min(16, "at least 16 characters; use a long random value").optional(),
  ),
  /** How long a verified API key stays cached in Redis (revocation drops it at once). */
  API_KEY_CACHE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  /** Origins a browser may call the API from (CORS), comma-separated; empty: none. */
  CORS_ORIGINS: list,
  /** Topics anyone may subscribe to, comma-separated; every other topic needs `events:subscribe`. */
  EVENT_PUBLIC_TOPICS: list,
  /** Hosts outbound webhooks may reach, comma-separated (`*.example.com` for subdomains); empty: any public host. */
  OUTBOUND_ALLOWED_HOSTS: list,
  /**
   * Development only: origins a webhook may reach whatever their scheme or address (the
   * local stack's inbox). `npm run dev` and the tests set it; production never should.
   */
  OUTBOUND_DEV_ALLOWED_ORIGINS: list,
  /**
   * "true" only behind a proxy you run that sets `X-Request-Id` itself: the API then adopts
   * it. Otherwise the API always mints its own and logs a client's as `clientRequestId`.
   */
  TRUST_REQUEST_ID: z.enum(["true", "false"]).default("false"),
  /** How long `GET /health/ready` reuses its last probe in each isolate, in ms. */
  READINESS_CACHE_MS: z.coerce.number().int().min(0).max(60_000).default(5_000),

  // Alerts (src/alerts/), evaluated by the metrics object: a circuit breaker open (always
  // on), dead jobs growing, the share of 5xx answers. Windows are whole minutes, at most
  // the 15 the metrics object keeps per minute.
  /**
   * Where firing and resolved alerts are POSTed as JSON (a secret: `wrangler secret put
   * ALERT_WEBHOOK_URL`, since such URLs often carry a token). It must pass the outbound URL
   * policy like any webhook. Unset (the default): alerts are logged and listed, not sent.
   */
  ALERT_WEBHOOK_URL: z.preprocess((value) => (value === "" ? undefined : value), z.url({ protocol: /^https?$/ }).max(2048).optional()),
  /** The 5xx alert fires when more than this share (0–1) of the window's answers are 5xx; 1 turns it off. */
  ALERT_5XX_RATIO: z.coerce.number().gt(0).max(1).default(0.05),
  ALERT_5XX_WINDOW_MINUTES: z.coerce.number().int().min(1).max(15).default(5),
  /** Fewer requests than this in the window never fire the 5xx alert (one failed request of two is no outage). */
  ALERT_5XX_MIN_REQUESTS: count.default(20),
  /** The dead-letter alert fires when more jobs than this end dead within its window. */
  ALERT_DEAD_LETTERS_PER_WINDOW: z.coerce.number().int().min(0).default(10),
  ALERT_DEAD_LETTERS_WINDOW_MINUTES: z.coerce.number().int().min(1).max(15).default(15),
  /**
   * A firing alert resolves only once its condition has stayed clear this long (seconds):
   * a flapping condition sends one firing and, after it settles, one resolution.
   */
  ALERT_RESOLVE_AFTER_SECONDS: z.coerce.number().int().min(0).max(3_600).default(120),
});

export type Config = z.infer<typeof ConfigSchema>;

// `env` is the same object for every request of an isolate, so parse it once.
const parsed = new WeakMap<object, Config>();

export function readConfig(env: Bindings): Config {
  let config = parsed.get(env);
  if (!config) {
    const result = ConfigSchema.safeParse(env);
    if (!result.success) {
      throw new Error(`Invalid configuration in [vars]: ${z.prettifyError(result.error)}`);
    }
    config = result.data;
    parsed.set(env, config);
  }
  return config;
}
