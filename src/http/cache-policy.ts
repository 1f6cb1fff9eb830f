import type { RequestTarget } from "./request-url";

/**
 * What may go into the client's response cache, and under which key: the pure half of
 * `response-cache.ts`, after RFC 9111 for a shared cache (every caller of the Worker reads
 * the same entries).
 */

/**
 * Statuses stored without explicit freshness from the upstream (RFC 9111 §4.2.2, heuristically
 * cacheable), minus 206: the client sends no range requests. A stored error status (a 404)
 * is served as that error again, like the upstream's answer.
 */
export const CACHEABLE_STATUSES: ReadonlySet<number> = new Set([200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501]);

/** Response headers kept with an entry: what callers read and what revalidation needs. */
export const STORED_HEADERS = ["content-type", "content-language", "etag", "last-modified", "cache-control", "vary"] as const;

/** Header names that carry a credential: the standard ones, and names that say so (x-api-key, x-auth-token…). */
const CREDENTIAL_HEADER = /^(?:authorization|proxy-authorization|cookie)$|api-?key|token|secret|session|password|auth/i;
/** Query parameter names that usually carry one (`?api_key=`, `?access_token=`, signed URLs). */
const CREDENTIAL_PARAM = /^(?:api[-_]?key|key|token|access[-_]?token|auth|secret|client[-_]?secret|password|signature|sig|x-amz-signature)$/i;

/** The names of the headers in `headers` that carry a credential, lower-case and sorted. */
export function credentialHeaderNames(headers: Headers): string[] {
  return [...headers.keys()].filter((name) => CREDENTIAL_HEADER.test(name)).sort();
}

/**
 * True when a request carries a credential, in a header or in its query. Its answer may be
 * meant for that caller alone, so the cache leaves it alone unless the client opts in (and
 * then keys it by the credential too).
 */
export function carriesCredentials(headers: Headers, target: RequestTarget): boolean {
  if (credentialHeaderNames(headers).length > 0) return true;
  return [...new URLSearchParams(target.search).keys()].some((name) => CREDENTIAL_PARAM.test(name));
}

export interface CacheDirectives {
  noStore: boolean;
  noCache: boolean;
  private: boolean;
  /** Seconds; `s-maxage` wins over `max-age` in a shared cache. */
  maxAge: number | undefined;
}

/** The directives of a `Cache-Control` header that the cache obeys. */
export function parseCacheControl(value: string | null): CacheDirectives {
  const directives: CacheDirectives = { noStore: false, noCache: false, private: false, maxAge: undefined };
  let sMaxAge: number | undefined;
  for (const part of (value ?? "").split(",")) {
    const [rawName = "", rawValue] = part.split("=", 2);
    const name = rawName.trim().toLowerCase();
    const seconds = rawValue === undefined ? undefined : deltaSeconds(rawValue);
    if (name === "no-store") directives.noStore = true;
    else if (name === "no-cache") directives.noCache = true;
    else if (name === "private") directives.private = true;
    else if (name === "max-age" && seconds !== undefined) directives.maxAge = seconds;
    else if (name === "s-maxage" && seconds !== undefined) sMaxAge = seconds;
  }
  if (sMaxAge !== undefined) directives.maxAge = sMaxAge;
  return directives;
}

function deltaSeconds(raw: string): number | undefined {
  const text = raw.trim().replace(/^"(.*)"$/, "$1");
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

/**
 * How many seconds a response stays fresh, or undefined when it must not be stored: a status
 * not in CACHEABLE_STATUSES, `no-store` or `private` (a shared cache must not keep either),
 * or a `Vary` on a header the key does not hold (`*` included). Fresh for the client's TTL,
 * or less when the upstream says `max-age`/`s-maxage`; `no-cache`: 0, stored only to be
 * revalidated.
 */
export function freshnessOf(status: number, headers: Headers, ttlSeconds: number, keyedHeaders: readonly string[]): number | undefined {
  if (!CACHEABLE_STATUSES.has(status)) return undefined;
  const directives = parseCacheControl(headers.get("Cache-Control"));
  if (directives.noStore || directives.private) return undefined;
  if (!varyCovered(headers.get("Vary"), keyedHeaders)) return undefined;
  if (directives.noCache) return 0;
  return directives.maxAge === undefined ? ttlSeconds : Math.min(ttlSeconds, directives.maxAge);
}

/**
 * True when every header a response varies on is part of the key. `Accept-Encoding` is
 * left out: the runtime decodes bodies before the cache sees them.
 */
export function varyCovered(vary: string | null, keyedHeaders: readonly string[]): boolean {
  if (vary === null) return true;
  const keyed = new Set(keyedHeaders.map((name) => name.toLowerCase()));
  return vary
    .split(",")
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== "" && name !== "accept-encoding")
    .every((name) => name !== "*" && keyed.has(name));
}

/**
 * What an entry's key is made of (hashed before use): the service (its base URLs, sorted,
 * since a request may be answered by any of them), the method, the path and query exactly
 * as sent, and the value of each keyed header (absent and empty told apart). Two requests
 * share an entry only when all of it is equal.
 */
export function cacheKeyMaterial(baseUrls: readonly string[], target: RequestTarget, keyedHeaders: readonly string[], headers: Headers): string {
  const names = [...new Set(keyedHeaders.map((name) => name.toLowerCase()))].sort();
  return JSON.stringify([[...baseUrls].sort(), "GET", `${target.path}${target.search}`, names.map((name) => [name, headers.get(name)])]);
}
