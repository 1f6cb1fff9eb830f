import { redisCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import { redisKey } from "../config/service";

/**
 * How a cached read was answered: from the cache, loaded into it, around it (Redis down),
 * or from a stale copy because the source could not answer.
 */
export type CacheStatus = "HIT" | "MISS" | "BYPASS" | "STALE";

export const STATS_KEY = redisKey("v1", "cache-stats");
/** Counts are sent at most this often per isolate, so stats cost no Redis call per read. */
const FLUSH_INTERVAL_MS = 5_000;

const FIELDS: Record<CacheStatus, string> = { HIT: "hits", MISS: "misses", BYPASS: "bypasses", STALE: "stale" };
const NONE = (): Record<CacheStatus, number> => ({ HIT: 0, MISS: 0, BYPASS: 0, STALE: 0 });

/**
 * Cache hits, misses, bypasses and stale answers for `GET /cache/stats`, counted per isolate and added to
 * a Redis hash in the background (`waitUntil`) at most every few seconds: fleet-wide
 * totals, late by at most FLUSH_INTERVAL_MS, for no extra call on the hot path.
 */
class CacheStats {
  #pending = NONE();
  #lastFlush = 0;

  record(scope: DependencyScope, status: CacheStatus): void {
    this.#pending[status]++;
    if (Date.now() - this.#lastFlush >= FLUSH_INTERVAL_MS) scope.waitUntil(this.flush(scope));
  }

  /** Adds this isolate's counts to the shared hash; a failed flush keeps them for the next. */
  async flush(scope: DependencyScope): Promise<void> {
    this.#lastFlush = Date.now();
    const counts = this.#pending;
    if (Object.values(counts).every((count) => count === 0)) return;
    this.#pending = NONE();
    try {
      await redisCall(scope)(async (redis) => {
        const pipeline = redis.pipeline();
        for (const status of Object.keys(FIELDS) as CacheStatus[]) {
          if (counts[status] > 0) pipeline.hincrby(STATS_KEY, FIELDS[status], counts[status]);
        }
        await pipeline.exec();
      }, { idempotent: false });
    } catch {
      for (const status of Object.keys(FIELDS) as CacheStatus[]) this.#pending[status] += counts[status];
    }
  }
}

export const cacheStats = new CacheStats();
