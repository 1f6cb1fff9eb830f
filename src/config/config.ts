import { z } from "zod";
import type { Bindings } from "../env";

const milliseconds = z.coerce.number().int().positive();
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

/** Tunables from `[vars]` in wrangler.toml. A bad value fails loudly instead of being ignored. */
const ConfigSchema = z.object({
  /** Total time budget of a request. */
  REQUEST_TIMEOUT_MS: milliseconds.default(5_000),
  /** Deadline of each dependency probe in `GET /health`. */
  HEALTH_CHECK_TIMEOUT_MS: milliseconds.default(1_000),
  /** How long a product stays cached (writes drop it sooner). */
  PRODUCT_CACHE_TTL_SECONDS: z.coerce.number().int().positive().default(60),
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
