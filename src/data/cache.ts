import { redisCall, type DependencyCall } from "../dependencies/calls";
import { isDependencyUnavailableError } from "../dependencies/errors";
import type { DependencyScope } from "../dependencies/scope";
import { isAttemptTimeoutError, isBrokenCircuitError, isBulkheadRejectedError, isDeadlineExceededError, isTransientError } from "../resilience";
import { log } from "../observability/logger";
import { cacheStats, type CacheStatus } from "./cache-stats";
import type { Redis } from "./redis";
import type { RideCommand } from "./redis-ride-along";
import { redisKey } from "../config/service";

/** Bump to drop every cached entry at once after a change of cached shapes (v2: a hash with its freshness). */
const VERSION = "v2";
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
  /**
   * Keep the value this long past its TTL (0 or unset: not at all), as a stale copy that is
   * served (`STALE`) only when the loader fails because its source cannot answer: an open
   * circuit, a timeout, a connection error, a 5xx. Never for "not found", never for a bug
   * (a SQL error is thrown as usual). Invalidation drops the stale copy with the entry.
   */
  staleIfErrorSeconds?: number;
}

/** What `getOrLoad` answers: the value, how it was found, and for a stale copy how old it is. */
export interface CacheRead<T> {
  value: T | undefined;
  status: CacheStatus;
  /** `STALE` only: seconds since the copy was cached (for `Age`). */
  ageSeconds?: number;
}

type Entry<T> = { v: T } | { missing: true };

/**
 * An entry is a hash: `e` the value (JSON of an `Entry`), `f` until when it is fresh and `t`
 * when it was stored (ms since the epoch, the Worker's clock). Its key lives for the TTL
 * plus the stale grace, so the stale copy is the same key: no second key to read, write or
 * invalidate.
 *
 * Reads an entry and, unless it is fresh, takes the loader's lock, in one round trip: a hit
 * costs one call, a miss one call before the load instead of two. ARGV: the lock's TTL, the
 * caller's token, and now (ms). Returns `[1, e, t, f]` on a fresh hit, `[0]` when this caller
 * holds the lock (taken now, or by its own earlier attempt: the token makes a retry after a
 * lost answer safe), `[2]` when another caller holds it; with `e, t, f` after the 0 or 2
 * when a stale copy exists (kept for the case the load fails).
 */
const GET_OR_LOCK = `
local entry = redis.call('HMGET', KEYS[1], 'e', 't', 'f')
if entry[1] and tonumber(entry[3]) > tonumber(ARGV[3]) then return {1, entry[1], entry[2], entry[3]} end
local state = 2
if redis.call('SET', KEYS[2], ARGV[2], 'NX', 'PX', ARGV[1]) then state = 0
elseif redis.call('GET', KEYS[2]) == ARGV[2] then state = 0 end
if entry[1] then return {state, entry[1], entry[2], entry[3]} end
return {state}`;

/** Frees a loader's lock if `token` still holds it. */
const RELEASE_LOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/** The script's reply: the state, then (for a hit, or beside a lock when a stale copy exists) the entry, stored-at and fresh-until. */
type ReadReply = [number, unknown?, unknown?, unknown?];

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
  return { script: GET_OR_LOCK, keys: [entryKey(prefetch.key), lockKey(prefetch.key)], args: readOrLockArgs(prefetch.token) };
}

const readOrLockArgs = (token: string): string[] => [String(LOCK_TTL_MS), token, String(Date.now())];

/** True when a prefetch took the loader's lock that no route will now release (the request was refused). */
export const prefetchHoldsLock = (prefetch: CachePrefetch): boolean => Array.isArray(prefetch.reply) && prefetch.reply[0] === 0;

/** Frees a lock a refused request's prefetch took, so other callers need not wait it out. */
export async function releasePrefetchLock(scope: DependencyScope, prefetch: CachePrefetch): Promise<void> {
  await releaseLock(redisCall(scope), prefetch.key, prefetch.token);
}

async function releaseLock(call: DependencyCall<Redis>, key: string, token: string): Promise<void> {
  await call((redis) => redis.eval(RELEASE_LOCK, [lockKey(key)], [token]), { idempotent: true });
}

const entryKey = (key: string) => `${NAMESPACE}:cache:${key}`;
const tagKey = (tag: string) => `${NAMESPACE}:tag:${tag}`;
const lockKey = (key: string) => `${NAMESPACE}:lock:${key}`;

/**
 * Cache-aside on Redis: read the cache, else load, write back with a TTL. Namespaced and
 * versioned keys; JSON values; "not found" cached briefly; tags to invalidate groups.
 *
 * Stampede protection: on a miss, one caller (across all isolates) takes a short Redis
 * lock, in the same script call as the read (GET_OR_LOCK), and loads; the others wait for
 * its value (polling with the same script, bounded) instead of all hitting the database. A
 * loader that fails frees its lock, so the next waiter takes over at once. (Waiting on an
 * in-isolate promise instead would not work in Workers: a promise settled by another
 * request cannot wake this one.)
 *
 * Degradation: when Redis errors or misses its deadline, reads go straight to the loader
 * (`BYPASS`) and nothing is written; the caller answers as usual. When the loader's source
 * cannot answer and the entry has a stale copy within its grace (`staleIfErrorSeconds`),
 * the stale copy is the answer (`STALE`), counted and logged. A stale copy is never served
 * while the source answers: after its TTL the entry is a miss like any other.
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

  async getOrLoad<T>(key: string, options: CacheOptions, load: () => Promise<T | undefined>): Promise<CacheRead<T>> {
    let reply: ReadReply;
    let token = crypto.randomUUID();
    const prefetched = this.#takePrefetch(key);
    if (prefetched) {
      ({ reply, token } = prefetched);
    } else {
      try {
        reply = await this.#readOrLock(key, token);
      } catch (error) {
        this.#rethrowIfOutOfTime(error);
        return this.#counted({ value: await load(), status: "BYPASS" });
      }
    }
    if (reply[0] === 1) return this.#counted({ value: valueOf(parseEntry<T>(reply[1])), status: "HIT" });
    let stale = staleCopyOf<T>(reply);
    let holdsLock = reply[0] === 0;
    if (!holdsLock) {
      const waited = await this.#waitForWinner(key, token);
      if (waited?.[0] === 1) return this.#counted({ value: valueOf(parseEntry<T>(waited[1])), status: "HIT" });
      // Out of time, or the lock is ours now: load; a stale copy seen meanwhile is as good.
      if (waited) stale = staleCopyOf<T>(waited) ?? stale;
      holdsLock = waited?.[0] === 0;
    }
    let value: T | undefined;
    try {
      value = await load();
    } catch (error) {
      // Let the next caller try at once rather than wait for this lock to expire.
      if (holdsLock) this.#scope.waitUntil(releaseLock(this.#redisCall, key, token).catch(() => undefined));
      const served = stale && this.#staleAnswer(key, stale, options, error);
      if (served) return served;
      throw error;
    }
    await this.#store(key, value, options).catch((error: unknown) => this.#rethrowIfOutOfTime(error));
    return this.#counted({ value, status: "MISS" });
  }

  /** The stale copy as the answer, when the loader's error means its source is down and the copy is within its grace. */
  #staleAnswer<T>(key: string, stale: StaleCopy<T>, options: CacheOptions, error: unknown): CacheRead<T> | undefined {
    const graceMs = (options.staleIfErrorSeconds ?? 0) * 1000;
    const now = Date.now();
    if (now - stale.freshUntil > graceMs || !isSourceDown(error, this.#scope.signal)) return undefined;
    const ageSeconds = Math.max(0, Math.floor((now - stale.storedAt) / 1000));
    log("warn", "served a stale cache entry: its source could not answer", {
      key,
      ageSeconds,
      error: error instanceof Error ? error.name : "unknown",
    });
    return this.#counted({ value: stale.value, status: "STALE", ageSeconds });
  }

  #readOrLock(key: string, token: string): Promise<ReadReply> {
    return this.#redis((redis) => redis.createScript<ReadReply>(GET_OR_LOCK).exec([entryKey(key), lockKey(key)], readOrLockArgs(token)), true);
  }

  /** The prefetched reply for `key`, once (a later read of the key goes to Redis). */
  #takePrefetch(key: string): { reply: ReadReply; token: string } | undefined {
    const prefetch = this.#prefetch;
    if (prefetch?.key !== key || !Array.isArray(prefetch.reply)) return undefined;
    this.#prefetch = undefined;
    return { reply: prefetch.reply as ReadReply, token: prefetch.token };
  }

  #counted<T>(result: CacheRead<T>): CacheRead<T> {
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

  /** Drops entries by key, their stale copies with them. */
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
    // "Not found" keeps no stale copy: an outage answers 503 for it, never a stale 404.
    const grace = value === undefined ? 0 : (options.staleIfErrorSeconds ?? 0);
    const now = Date.now();
    await this.#redis(async (redis) => {
      const tx = redis.multi();
      tx.hset(entryKey(key), { e: entry, t: now, f: now + ttl * 1000 });
      tx.expire(entryKey(key), ttl + grace);
      for (const tag of options.tags ?? []) {
        tx.sadd(tagKey(tag), entryKey(key));
        // A tag set outlives the entries it points to, stale copies included, so that
        // invalidating the tag drops them all.
        tx.expire(tagKey(tag), ttl + grace + 60);
      }
      tx.del(lockKey(key));
      await tx.exec();
    }, false);
  }

  /**
   * Polls until the winner's fresh value is there (`[1, …]`), or the lock is this caller's
   * (`[0, …]`), or time is up (the last reply seen, or null). A poll is two plain reads in
   * one request, the entry and the lock; only when the lock is gone without a fresh value
   * (the winner's load failed and freed it, or its lock ran out) does the read-or-lock run
   * again, so that one waiter, not all of them, takes over.
   */
  async #waitForWinner(key: string, token: string): Promise<ReadReply | null> {
    const until = Date.now() + WAIT_FOR_WINNER_MS;
    let last: ReadReply | null = null;
    while (Date.now() < until && !this.#scope.signal.aborted) {
      // eslint-disable-next-line no-await-in-loop
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      // eslint-disable-next-line no-await-in-loop
      const reply = await this.#poll(key, token).catch(() => null);
      if (reply) last = reply;
      if (reply && reply[0] !== 2) return reply;
    }
    return last;
  }

  async #poll(key: string, token: string): Promise<ReadReply> {
    const [entry, lock] = await this.#redis(async (redis) => {
      const pipeline = redis.pipeline();
      pipeline.hmget(entryKey(key), "e", "t", "f");
      pipeline.get(lockKey(key));
      return pipeline.exec<[Record<string, unknown> | null, unknown]>();
    }, true);
    const found: ReadReply | undefined = entry?.e == null ? undefined : [2, entry.e, entry.t, entry.f];
    if (found && Number(found[3]) > Date.now()) return [1, found[1], found[2], found[3]];
    if (lock === null) return this.#readOrLock(key, token);
    return found ?? [2];
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

const valueOf = <T>(entry: Entry<T>): T | undefined => ("v" in entry ? entry.v : undefined);

interface StaleCopy<T> {
  value: T;
  storedAt: number;
  freshUntil: number;
}

/** The stale copy beside a lock state (`[0|2, e, t, f]`), if there is one and it holds a value. */
function staleCopyOf<T>(reply: ReadReply): StaleCopy<T> | undefined {
  if (reply[1] === undefined || reply[1] === null) return undefined;
  const entry = parseEntry<T>(reply[1]);
  const storedAt = Number(reply[2]);
  const freshUntil = Number(reply[3]);
  if (!("v" in entry) || !Number.isFinite(storedAt) || !Number.isFinite(freshUntil)) return undefined;
  return { value: entry.v, storedAt, freshUntil };
}

/**
 * True when a loader's error means its source could not answer (not that the request or
 * our code is wrong): an open circuit, a full bulkhead, a timeout of an attempt or of the
 * request's budget, a transient failure (connection refused, 5xx, Neon's connection
 * errors) on every attempt allowed. A SQL error is none of these.
 */
function isSourceDown(error: unknown, signal: AbortSignal): boolean {
  if (signal.aborted) return signal.reason instanceof DOMException && signal.reason.name === "TimeoutError";
  return (
    isBrokenCircuitError(error) ||
    isBulkheadRejectedError(error) ||
    isDependencyUnavailableError(error) ||
    isAttemptTimeoutError(error) ||
    isDeadlineExceededError(error) ||
    isTransientError(error)
  );
}
