import { z } from "zod";
import { redisKey } from "../config/service";
import { redisCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import { createDeadline } from "../resilience";
import { jsonBytes } from "../util/json-bytes";
import { sha256Hex } from "../util/sha256";

/** A client's response cache (GET only), in Redis, shared by every isolate. */
export interface ResponseCacheOptions {
  /** How long an answer is served from the cache without asking the upstream (less if it says `max-age`). */
  ttlSeconds: number;
  /**
   * Request headers whose values select the entry (e.g. `Accept-Language`): two requests
   * share an entry only when these are equal. A response that varies on a header not listed
   * here is not stored.
   */
  vary?: readonly string[];
  /**
   * Store answers to requests that carry a credential (an `Authorization`, an API key
   * header, `?api_key=`…). Off by default: such an answer may be meant for that caller
   * alone. On, the credential's value becomes part of the key, so callers with different
   * credentials never share an entry (a client's own API key: one entry for all).
   */
  allowCredentials?: boolean;
  /**
   * How long a stale entry with a validator (`ETag`, `Last-Modified`) is kept to be
   * revalidated: the next request asks with `If-None-Match`, and a 304 serves the stored
   * body and makes it fresh again. Default: ten times `ttlSeconds`.
   */
  revalidateSeconds?: number;
  /** Larger bodies are not stored (bytes; default 256 KiB: one Redis value, one round trip). */
  maxEntryBytes?: number;
}

/**
 * How a GET was answered: `HIT` (fresh in the cache, the upstream not asked), `REVALIDATED`
 * (stale, the upstream answered 304, the stored body served and made fresh), `MISS` (the
 * upstream's answer, stored if it may be), `BYPASS` (Redis unavailable: straight to the upstream).
 */
export type CacheStatus = "HIT" | "REVALIDATED" | "MISS" | "BYPASS";

const EntrySchema = z.object({
  v: z.literal(1),
  status: z.int().min(200).max(599),
  headers: z.array(z.tuple([z.string(), z.string()])),
  body: z.string(),
  /** Absolute ms: until then the entry is served without asking the upstream. */
  freshUntil: z.number(),
});
export type CachedResponse = z.infer<typeof EntrySchema>;

export const DEFAULT_MAX_ENTRY_BYTES = 256 * 1024;
/** A background write's own deadline: the caller may have its answer (and be gone) by then. */
const WRITE_BUDGET_MS = 2_000;

/** The entry's Redis key: namespaced, versioned, the dependency in clear, the rest hashed (no header value is ever stored in a key). */
export async function cacheKey(dependency: string, material: string): Promise<string> {
  return redisKey("v1", "http", dependency, await sha256Hex(material));
}

/**
 * The entry under `key`: undefined when there is none (or it is unreadable: written by an
 * older shape), `"unavailable"` when Redis could not answer in time. A cache never fails a
 * call: its caller then goes to the upstream.
 */
export async function readCachedResponse(scope: DependencyScope, key: string): Promise<CachedResponse | "unavailable" | undefined> {
  let stored: unknown;
  try {
    stored = await redisCall(scope)((redis) => redis.get(key), { idempotent: true });
  } catch {
    return "unavailable";
  }
  if (stored === null) return undefined;
  const parsed = EntrySchema.safeParse(stored);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Stores `entry` for `ttlSeconds`, under a deadline of its own (it runs in the background,
 * after the caller has its answer). Never throws: a lost write is a later miss.
 */
export async function writeCachedResponse(scope: DependencyScope, key: string, entry: CachedResponse, ttlSeconds: number): Promise<void> {
  const seconds = Math.ceil(ttlSeconds);
  if (seconds < 1) return;
  const deadline = createDeadline(WRITE_BUDGET_MS);
  try {
    const own: DependencyScope = { env: scope.env, signal: deadline.signal, waitUntil: (promise) => scope.waitUntil(promise) };
    await redisCall(own)((redis) => redis.set(key, entry, { ex: seconds }), { idempotent: true });
  } catch {
    // The next request misses and asks the upstream again: nothing else depends on it.
  } finally {
    deadline.dispose();
  }
}

/** True when an entry fits in the cache's size limit. */
export const fitsInCache = (entry: CachedResponse, maxEntryBytes = DEFAULT_MAX_ENTRY_BYTES): boolean => jsonBytes(entry) <= maxEntryBytes;
