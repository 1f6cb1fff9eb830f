import type { Context } from "hono";
import type { AppEnv } from "../env";
import { cacheStats } from "./cache-stats";
import type { Redis } from "./redis";

/** Bump to drop every cached entry at once after a change of cached shapes. */
const VERSION = "v1";
const NAMESPACE = `edgekit:${VERSION}`;
/** How long one loader may hold a key before others stop waiting for it. */
const LOCK_TTL_MS = 2_000;
/** How long a caller that lost the race waits for the winner's value before loading itself. */
const WAIT_FOR_WINNER_MS = 1_000;
const POLL_MS = 50;

export type CacheStatus = "HIT" | "MISS" | "BYPASS";

export interface CacheOptions {
  ttlSeconds: number;
  /** Invalidate together later: `invalidateTags(["products"])`. */
  tags?: string[];
  /** Remember "not found" this long (0: never), so a missing id cannot be hammered. */
  negativeTtlSeconds?: number;
}

type Entry<T> = { v: T } | { missing: true };

const entryKey = (key: string) => `${NAMESPACE}:cache:${key}`;
const tagKey = (tag: string) => `${NAMESPACE}:tag:${tag}`;
const lockKey = (key: string) => `${NAMESPACE}:lock:${key}`;

/**
 * Cache-aside on Redis: read the cache, else load, write back with a TTL. Namespaced and
 * versioned keys; JSON values; "not found" cached briefly; tags to invalidate groups.
 *
 * Stampede protection: on a miss, one caller (across all isolates) takes a short Redis
 * lock and loads; the others wait for its value (polling, bounded) instead of all hitting
 * the database. (Waiting on an in-isolate promise instead would not work in Workers: a
 * promise settled by another request cannot wake this one.)
 *
 * Degradation: when Redis errors or misses its deadline, reads go straight to the loader
 * (`BYPASS`) and nothing is written; the caller answers as usual.
 */
export class Cache {
  readonly #c: Context<AppEnv>;

  constructor(c: Context<AppEnv>) {
    this.#c = c;
  }

  async getOrLoad<T>(key: string, options: CacheOptions, load: () => Promise<T | undefined>): Promise<{ value: T | undefined; status: CacheStatus }> {
    let cached: Entry<T> | null;
    try {
      cached = await this.#redis((redis) => redis.get<Entry<T>>(entryKey(key)), true);
    } catch (error) {
      this.#rethrowIfOutOfTime(error);
      return this.#counted({ value: await load(), status: "BYPASS" });
    }
    if (cached) return this.#counted({ value: "v" in cached ? cached.v : undefined, status: "HIT" });

    const won = await this.#redis((redis) => redis.set(lockKey(key), "1", { nx: true, px: LOCK_TTL_MS }), false).catch(
      (error: unknown) => {
        this.#rethrowIfOutOfTime(error);
        return null;
      },
    );
    if (won !== "OK") {
      const fromWinner = await this.#waitForWinner<T>(key);
      if (fromWinner) return this.#counted({ value: "v" in fromWinner ? fromWinner.v : undefined, status: "HIT" });
    }
    const value = await load();
    await this.#store(key, value, options).catch((error: unknown) => this.#rethrowIfOutOfTime(error));
    return this.#counted({ value, status: "MISS" });
  }

  #counted<T>(result: { value: T; status: CacheStatus }): { value: T; status: CacheStatus } {
    cacheStats.record(this.#c, result.status);
    return result;
  }

  /** Entries under our namespace, counted with SCAN (for the stats route). */
  async countEntries(): Promise<number> {
    let cursor = "0";
    let count = 0;
    do {
      // eslint-disable-next-line no-await-in-loop
      const [next, keys] = await this.#redis((redis) => redis.scan(cursor, { match: entryKey("*"), count: 500 }), true);
      cursor = next;
      count += keys.length;
    } while (cursor !== "0");
    return count;
  }

  /** Drops entries by key. */
  async invalidate(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.#redis((redis) => redis.unlink(...keys.map(entryKey)), true);
  }

  /** Drops every entry stored under any of the tags; answers how many entries went. */
  async invalidateTags(tags: string[]): Promise<number> {
    const members = await this.#redis(async (redis) => {
      // One round trip for every tag, however many.
      const pipeline = redis.pipeline();
      for (const tag of tags) pipeline.smembers(tagKey(tag));
      const lists = await pipeline.exec<string[][]>();
      return lists.flat();
    }, true);
    const dropped = members.length > 0 ? await this.#redis((redis) => redis.unlink(...members), true) : 0;
    await this.#redis((redis) => redis.unlink(...tags.map(tagKey)), true);
    return dropped;
  }

  /** Drops entries whose key matches a glob, walking with SCAN (never KEYS, which blocks Redis). */
  async invalidatePattern(pattern: string): Promise<number> {
    let cursor = "0";
    let dropped = 0;
    // Page by page: each SCAN needs the cursor the previous one returned.
    do {
      // eslint-disable-next-line no-await-in-loop
      const [next, keys] = await this.#redis((redis) => redis.scan(cursor, { match: entryKey(pattern), count: 200 }), true);
      cursor = next;
      // eslint-disable-next-line no-await-in-loop
      if (keys.length > 0) dropped += await this.#redis((redis) => redis.unlink(...keys), true);
    } while (cursor !== "0");
    return dropped;
  }

  async #store(key: string, value: unknown, options: CacheOptions): Promise<void> {
    const negativeTtl = options.negativeTtlSeconds ?? 0;
    if (value === undefined && negativeTtl === 0) return;
    const entry: Entry<unknown> = value === undefined ? { missing: true } : { v: value };
    const ttl = value === undefined ? negativeTtl : options.ttlSeconds;
    await this.#redis(async (redis) => {
      const tx = redis.multi();
      tx.set(entryKey(key), entry, { ex: ttl });
      for (const tag of options.tags ?? []) {
        tx.sadd(tagKey(tag), entryKey(key));
        // A tag set lives a little longer than the longest entry it points to.
        tx.expire(tagKey(tag), ttl + 60);
      }
      tx.del(lockKey(key));
      await tx.exec();
    }, false);
  }

  async #waitForWinner<T>(key: string): Promise<Entry<T> | null> {
    const until = Date.now() + WAIT_FOR_WINNER_MS;
    while (Date.now() < until && !this.#c.var.signal.aborted) {
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      // eslint-disable-next-line no-await-in-loop
      const entry = await this.#redis((redis) => redis.get<Entry<T>>(entryKey(key)), true).catch(() => null);
      if (entry) return entry;
    }
    return null;
  }

  #redis<T>(work: (redis: Redis) => Promise<T>, idempotent: boolean): Promise<T> {
    return this.#c.var.redis(work, { idempotent });
  }

  #rethrowIfOutOfTime(error: unknown): void {
    if (this.#c.var.signal.aborted) throw error;
  }
}
