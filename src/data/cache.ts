import { redisCall, type DependencyCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import { cacheStats, type CacheStatus } from "./cache-stats";
import type { Redis } from "./redis";
import type { RideCommand } from "./redis-ride-along";
import { redisKey } from "../config/service";

/** Bump to drop every cached entry at once after a change of cached shapes. */
const VERSION = "v1";
const NAMESPACE = redisKey(VERSION);
/** How long one loader may hold a key before others stop waiting for it. */
const LOCK_TTL_MS = 2_000;
/** How long a caller that lost the race waits for the winner's value before loading itself. */
const WAIT_FOR_WINNER_MS = 1_000;
const POLL_MS = 50;

export type { CacheStatus };

export interface CacheOptions {
  ttlSeconds: number;
  /** Invalidate together later: `invalidateTags(["products"])`. */
  tags?: string[];
  /** Remember "not found" this long (0: never), so a missing id cannot be hammered. */
  negativeTtlSeconds?: number;
}

type Entry<T> = { v: T } | { missing: true };

/**
 * Reads an entry and, on a miss, takes the loader's lock, in one round trip: a hit costs one
 * call, a miss one call before the load instead of two. Returns `[1, value]` on a hit,
 * `[0]` when this caller holds the lock (taken now, or by its own earlier attempt: the
 * token makes a retry after a lost answer safe), `[2]` when another caller holds it.
 */
const GET_OR_LOCK = `
local value = redis.call('GET', KEYS[1])
if value then return {1, value} end
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[1]) then return {0} end
if redis.call('GET', KEYS[2]) == ARGV[2] then return {0} end
return {2}`;

/**
 * A read of one entry made ahead of the route, in the rate limiter's round trip (see
 * `readOrLockCommand`): the key, the lock token it used, and the script's reply once back.
 */
export interface CachePrefetch {
  key: string;
  token: string;
  reply?: unknown;
}

/** The read-or-lock of `prefetch.key`, as a command that can ride along another round trip. */
export function readOrLockCommand(prefetch: CachePrefetch): RideCommand {
  return { script: GET_OR_LOCK, keys: [entryKey(prefetch.key), lockKey(prefetch.key)], args: [String(LOCK_TTL_MS), prefetch.token] };
}

/** True when a prefetch took the loader's lock that no route will now release (the request was refused). */
export const prefetchHoldsLock = (prefetch: CachePrefetch): boolean => Array.isArray(prefetch.reply) && prefetch.reply[0] === 0;

/** Frees a lock a refused request's prefetch took, so other callers need not wait it out. */
export async function releasePrefetchLock(scope: DependencyScope, prefetch: CachePrefetch): Promise<void> {
  const lock = lockKey(prefetch.key);
  await redisCall(scope)((redis) => redis.eval("if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0", [lock], [prefetch.token]), {
    idempotent: true,
  });
}

const entryKey = (key: string) => `${NAMESPACE}:cache:${key}`;
const tagKey = (tag: string) => `${NAMESPACE}:tag:${tag}`;
const lockKey = (key: string) => `${NAMESPACE}:lock:${key}`;

/**
 * Cache-aside on Redis: read the cache, else load, write back with a TTL. Namespaced and
 * versioned keys; JSON values; "not found" cached briefly; tags to invalidate groups.
 *
 * Stampede protection: on a miss, one caller (across all isolates) takes a short Redis
 * lock, in the same script call as the read (GET_OR_LOCK), and loads; the others wait for its value (polling, bounded) instead of all hitting
 * the database. (Waiting on an in-isolate promise instead would not work in Workers: a
 * promise settled by another request cannot wake this one.)
 *
 * Degradation: when Redis errors or misses its deadline, reads go straight to the loader
 * (`BYPASS`) and nothing is written; the caller answers as usual.
 */
export class Cache {
  readonly #scope: DependencyScope;
  readonly #redisCall: DependencyCall<Redis>;
  #prefetch: CachePrefetch | undefined;

  /**
   * Within a dependency scope: a request's (`scopeOf(c)`) or a job's, so both share the
   * cache. `prefetch`: a read-or-lock already made for this request (the rate limiter's
   * round trip carried it), used instead of a call of its own.
   */
  constructor(scope: DependencyScope, prefetch?: CachePrefetch) {
    this.#scope = scope;
    this.#redisCall = redisCall(scope);
    this.#prefetch = prefetch;
  }

  async getOrLoad<T>(key: string, options: CacheOptions, load: () => Promise<T | undefined>): Promise<{ value: T | undefined; status: CacheStatus }> {
    let reply: [number, unknown?];
    let token = crypto.randomUUID();
    const prefetched = this.#takePrefetch(key);
    if (prefetched) {
      ({ reply, token } = prefetched);
    } else {
      try {
        reply = await this.#redis(
          (redis) => redis.createScript<[number, unknown?]>(GET_OR_LOCK).exec([entryKey(key), lockKey(key)], [String(LOCK_TTL_MS), token]),
          true,
        );
      } catch (error) {
        this.#rethrowIfOutOfTime(error);
        return this.#counted({ value: await load(), status: "BYPASS" });
      }
    }
    const [state, raw] = reply;
    if (state === 1) {
      const cached = parseEntry<T>(raw);
      return this.#counted({ value: "v" in cached ? cached.v : undefined, status: "HIT" });
    }
    if (state !== 0) {
      const fromWinner = await this.#waitForWinner<T>(key);
      if (fromWinner) return this.#counted({ value: "v" in fromWinner ? fromWinner.v : undefined, status: "HIT" });
    }
    const value = await load();
    await this.#store(key, value, options).catch((error: unknown) => this.#rethrowIfOutOfTime(error));
    return this.#counted({ value, status: "MISS" });
  }

  /** The prefetched reply for `key`, once (a later read of the key goes to Redis). */
  #takePrefetch(key: string): { reply: [number, unknown?]; token: string } | undefined {
    const prefetch = this.#prefetch;
    if (prefetch?.key !== key || !Array.isArray(prefetch.reply)) return undefined;
    this.#prefetch = undefined;
    return { reply: prefetch.reply as [number, unknown?], token: prefetch.token };
  }

  #counted<T>(result: { value: T; status: CacheStatus }): { value: T; status: CacheStatus } {
    cacheStats.record(this.#scope, result.status);
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
    while (Date.now() < until && !this.#scope.signal.aborted) {
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      // eslint-disable-next-line no-await-in-loop
      const entry = await this.#redis((redis) => redis.get<Entry<T>>(entryKey(key)), true).catch(() => null);
      if (entry) return entry;
    }
    return null;
  }

  #redis<T>(work: (redis: Redis) => Promise<T>, idempotent: boolean): Promise<T> {
    return this.#redisCall(work, { idempotent });
  }

  #rethrowIfOutOfTime(error: unknown): void {
    if (this.#scope.signal.aborted) throw error;
  }
}

/** An entry as the script returns it: the stored JSON text (or, decoded by the client, its value). */
function parseEntry<T>(raw: unknown): Entry<T> {
  return (typeof raw === "string" ? JSON.parse(raw) : raw) as Entry<T>;
}
