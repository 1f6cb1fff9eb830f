import { z } from "zod";
import type { Bindings } from "../env";

const milliseconds = z.coerce.number().int().positive();

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
