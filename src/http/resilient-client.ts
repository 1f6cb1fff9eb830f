import type { z } from "zod";
import { dependencyPolicies, type DependencyName } from "../config/dependencies";
import { guarded } from "../dependencies/guard";
import type { DependencyScope } from "../dependencies/scope";
import {
  BrokenCircuitError,
  createDeadline,
  HttpStatusError,
  isTransientStatus,
  parseRetryAfter,
  verdictOf,
  type Verdict,
} from "../resilience";
import { boundedBody, declaredTooLarge, readBoundedText } from "./bounded-body";
import { cacheKeyMaterial, carriesCredentials, credentialHeaderNames, freshnessOf, STORED_HEADERS } from "./cache-policy";
import type { BalanceMode, EndpointPool, EndpointState } from "./endpoint-pool";
import { endpointPoolFor } from "./endpoint-registry";
import { OutboundUrlRefusedError, ResponseTooLargeError, UpstreamShapeError } from "./errors";
import { mayRepeat, type HttpMethod } from "./methods";
import { toSearchParams, type QueryParams } from "./query";
import { parseBaseUrl, requestTarget, requestUrl, type RequestTarget } from "./request-url";
import {
  cacheKey,
  fitsInCache,
  readCachedResponse,
  writeCachedResponse,
  type CachedResponse,
  type CacheStatus,
  type ResponseCacheOptions,
} from "./response-cache";
import { checkOutboundUrl, type OutboundUrlPolicy } from "./url-policy";

export { ResponseTooLargeError, UpstreamShapeError };
export type { BalanceMode, CacheStatus, EndpointState, HttpMethod, QueryParams, ResponseCacheOptions };

export interface ResilientHttpClientOptions {
  /** Which breaker, bulkhead and retry policy guard the calls. */
  dependency: DependencyName;
  /**
   * One or more base URLs of the same service (a path in them prefixes every request). With
   * several, calls are balanced across the healthy ones and fail over when one is down
   * (see `balance`); each has a circuit breaker of its own.
   */
  baseUrls: readonly string[];
  /** Sent with every request, e.g. an API key; a call's own headers win over these. */
  headers?: Record<string, string>;
  /** `round-robin` (default) or `in-order` (the first healthy one, the others on standby). */
  balance?: BalanceMode;
  /** A response cache in Redis for GET (off when absent): see `ResponseCacheOptions`. */
  cache?: ResponseCacheOptions;
  /**
   * For URLs that come from input (a webhook's): every request's URL passes this policy
   * before it is sent (see url-policy.ts); a refusal is an `OutboundUrlRefusedError`.
   */
  urlPolicy?: OutboundUrlPolicy;
}

export interface CallOptions {
  /** Query parameters, appended to any query in the path (see `toSearchParams`). */
  query?: QueryParams;
  /** Headers of this call, over the client's own. */
  headers?: Record<string, string>;
  /**
   * A tighter budget than the caller's (the request's deadline), for optional work: all
   * attempts together (and for `stream()`, the whole body) stop after it.
   */
  budgetMs?: number;
  /**
   * Sent as `Idempotency-Key`. It is what makes a POST or PATCH safe to send again, so with
   * it they are retried and failed over like the idempotent methods; without it they are
   * sent once, to one base URL.
   */
  idempotencyKey?: string;
  /** Largest response body read (bytes): a larger one is a `ResponseTooLargeError`. */
  maxBytes?: number;
}

/** A call that sends a body: JSON (`json`, with its Content-Type) or bytes as they are (`body`). */
export interface BodyCallOptions extends CallOptions {
  json?: unknown;
  body?: string | ArrayBuffer | ArrayBufferView | URLSearchParams;
}

export interface GetOptions extends CallOptions {
  /** `false`: leave the client's response cache out of this call. */
  cache?: boolean;
}

export type RequestOptions = BodyCallOptions & GetOptions;

export interface ResponseHead {
  status: number;
  headers: Headers;
}

export interface HttpResult<T> extends ResponseHead {
  data: T;
  /** How the response cache served a GET; absent when the cache did not take part. */
  cache?: CacheStatus;
}

export interface StreamedResponse extends ResponseHead {
  /** The body, read under the call's deadline and within `maxBytes` (see `stream()`). */
  body: ReadableStream<Uint8Array>;
}

export interface StreamOptions extends BodyCallOptions {
  /** GET by default. */
  method?: HttpMethod;
}

/** Largest body a buffered call reads unless it says otherwise: no upstream can fill the isolate's memory. */
export const DEFAULT_MAX_BYTES = 1024 * 1024;

/** One request, checked and encoded once, sent to any of the base URLs. */
interface Prepared {
  method: HttpMethod;
  target: RequestTarget;
  headers: Headers;
  body: string | ArrayBuffer | ArrayBufferView | URLSearchParams | undefined;
  /** May reach the upstream more than once (retried, failed over): see `mayRepeat`. */
  repeatable: boolean;
  /** Each base URL's full URL for this request. */
  urls: ReadonlyMap<string, URL>;
}

/** What one exchange brought back: the status, the headers and, when asked for, the body as text. */
interface Fetched extends ResponseHead {
  text: string | undefined;
}

/** The signal a call runs under: the caller's, or a budget of its own. */
interface CallScope {
  scope: DependencyScope;
  signal: AbortSignal;
  dispose(): void;
}

/**
 * A client for an external HTTP API with every guard of the template:
 *
 * - the caller's deadline (and an optional tighter budget) on every call, the body included;
 * - retries (transient failures: network, 408, 429, 5xx) of idempotent calls only: GET,
 *   HEAD, PUT, DELETE and OPTIONS, and POST or PATCH when given an `idempotencyKey`; a POST
 *   or PATCH without one is sent once, to one base URL, and never repeated;
 * - the dependency's bulkhead and fleet-wide circuit breaker (`guarded()`);
 * - several base URLs balanced round-robin (or in order), each with a circuit breaker of its
 *   own, failing over to the next when one is down (see `EndpointPool`);
 * - redirects never followed (a 3xx is an `HttpStatusError`), bodies read within
 *   `maxBytes`, JSON answers validated by a zod schema;
 * - an optional response cache in Redis for GET, with ETag revalidation;
 * - default headers (an API key), and the outbound URL policy for URLs from input.
 *
 * A non-2xx answer is an `HttpStatusError` (its `status`, and `retryAfterMs` from
 * `Retry-After`); a transient one that is still failing after the retries, or a network
 * failure, is a `DependencyUnavailableError`; an open circuit a `BrokenCircuitError`.
 *
 * @example
 * const reviews = new ResilientHttpClient(scopeOf(c), {
 *   dependency: "reviews",
 *   baseUrls: config.REVIEWS_API_URL,
 *   headers: { Authorization: `Bearer ${config.REVIEWS_API_KEY}` },
 * });
 * const body = await reviews.get(`/products/${encodeURIComponent(id)}/reviews`, ReviewsSchema, { query: { limit: 10 }, budgetMs: 1_000 });
 */
export class ResilientHttpClient {
  readonly #scope: DependencyScope;
  readonly #options: ResilientHttpClientOptions;
  readonly #baseUrls: readonly URL[];
  readonly #pool: EndpointPool | undefined;

  constructor(scope: DependencyScope, options: ResilientHttpClientOptions) {
    if (options.baseUrls.length === 0) throw new Error(`No base URL configured for ${options.dependency}`);
    this.#scope = scope;
    this.#options = options;
    this.#baseUrls = options.baseUrls.map(parseBaseUrl);
    const policy = dependencyPolicies(scope.env)[options.dependency];
    this.#pool = endpointPoolFor(options.dependency, options.baseUrls, policy, options.balance ?? "round-robin");
  }

  /** GETs `path` and validates its JSON answer with `schema` (through the cache, when the client has one). */
  async get<T>(path: string, schema: z.ZodType<T>, options: GetOptions = {}): Promise<T> {
    return (await this.request("GET", path, { ...options, schema })).data;
  }

  /** HEAD: the status and headers. */
  head(path: string, options: CallOptions = {}): Promise<ResponseHead> {
    return this.request("HEAD", path, options);
  }

  /** OPTIONS: the status and headers (`Allow`, CORS headers…). */
  options(path: string, options: CallOptions = {}): Promise<ResponseHead> {
    return this.request("OPTIONS", path, options);
  }

  /** POST; retried and failed over only with an `idempotencyKey`. With `schema`, the answer's JSON. */
  post<T>(path: string, options: BodyCallOptions & { schema: z.ZodType<T> }): Promise<T>;
  post(path: string, options?: BodyCallOptions): Promise<ResponseHead>;
  post<T>(path: string, options: BodyCallOptions & { schema?: z.ZodType<T> } = {}): Promise<T | ResponseHead> {
    return this.#dataOrHead("POST", path, options);
  }

  /** PUT (idempotent: retried). With `schema`, the answer's JSON. */
  put<T>(path: string, options: BodyCallOptions & { schema: z.ZodType<T> }): Promise<T>;
  put(path: string, options?: BodyCallOptions): Promise<ResponseHead>;
  put<T>(path: string, options: BodyCallOptions & { schema?: z.ZodType<T> } = {}): Promise<T | ResponseHead> {
    return this.#dataOrHead("PUT", path, options);
  }

  /** PATCH; retried and failed over only with an `idempotencyKey`. With `schema`, the answer's JSON. */
  patch<T>(path: string, options: BodyCallOptions & { schema: z.ZodType<T> }): Promise<T>;
  patch(path: string, options?: BodyCallOptions): Promise<ResponseHead>;
  patch<T>(path: string, options: BodyCallOptions & { schema?: z.ZodType<T> } = {}): Promise<T | ResponseHead> {
    return this.#dataOrHead("PATCH", path, options);
  }

  /** DELETE (idempotent: retried). With `schema`, the answer's JSON. */
  delete<T>(path: string, options: BodyCallOptions & { schema: z.ZodType<T> }): Promise<T>;
  delete(path: string, options?: BodyCallOptions): Promise<ResponseHead>;
  delete<T>(path: string, options: BodyCallOptions & { schema?: z.ZodType<T> } = {}): Promise<T | ResponseHead> {
    return this.#dataOrHead("DELETE", path, options);
  }

  /**
   * POSTs `body` as JSON; any 2xx is success, and the answer's body is not read. Retried
   * only with an `idempotencyKey`, sent as the `Idempotency-Key` header, so the receiver
   * can drop a repeat of a call it already took.
   */
  async postJson(path: string, body: unknown, options: { budgetMs?: number; idempotencyKey?: string } = {}): Promise<void> {
    await this.post(path, { ...options, json: body });
  }

  /**
   * Any method, with the status, headers and (with `schema`) the validated JSON, and how the
   * cache took part. A non-2xx answer is an `HttpStatusError`.
   */
  request<T>(method: HttpMethod, path: string, options: RequestOptions & { schema: z.ZodType<T> }): Promise<HttpResult<T>>;
  request(method: HttpMethod, path: string, options?: RequestOptions): Promise<HttpResult<undefined>>;
  async request<T>(method: HttpMethod, path: string, options: RequestOptions & { schema?: z.ZodType<T> } = {}): Promise<HttpResult<T | undefined>> {
    const { schema } = options;
    const prepared = this.#prepare(method, path, options, schema !== undefined);
    const call = this.#callScope(options.budgetMs);
    try {
      const cache = this.#options.cache;
      const { fetched, cacheStatus } =
        method === "GET" && cache && options.cache !== false
          ? await this.#cachedGet(prepared, call, cache, options.maxBytes, schema !== undefined)
          : { fetched: await this.#exchange(prepared, call, { maxBytes: options.maxBytes, readBody: schema !== undefined }), cacheStatus: undefined };
      // A stored error status (a 404) is the upstream's answer again.
      if (fetched.status < 200 || fetched.status > 299) throw new HttpStatusError(fetched.status);
      const data = schema ? this.#parse(fetched.text ?? "", schema) : undefined;
      const result: HttpResult<T | undefined> = { status: fetched.status, headers: fetched.headers, data };
      if (cacheStatus !== undefined) result.cache = cacheStatus;
      return result;
    } finally {
      call.dispose();
    }
  }

  /**
   * Sends a request and hands back the body as a stream, once the headers are in. Reads stay
   * bound to the call's signal, so the caller's deadline (or `budgetMs`) covers the whole
   * body, not just the headers: when it fires, the stream errors with its reason (a
   * `TimeoutError`) and the upstream connection is closed. `maxBytes` errors the stream with
   * a `ResponseTooLargeError` as soon as more arrived (at once when `Content-Length` says
   * so). The per-attempt timeout, retries, failover, the breakers and the bulkhead's slot
   * cover getting the headers (a body can rightly take longer than one attempt); a failure
   * after them is the stream's error. Never cached. A non-2xx answer is an `HttpStatusError`.
   *
   * Read the body to its end or cancel it: until then the call's budget stays armed. A
   * stream with no `budgetMs` lasts as long as the caller's signal allows.
   *
   * @example
   * const { body, headers } = await client.stream("/exports/latest", { maxBytes: 50_000_000 });
   * return new Response(body, { headers: { "Content-Type": headers.get("Content-Type") ?? "application/octet-stream" } });
   */
  async stream(path: string, options: StreamOptions = {}): Promise<StreamedResponse> {
    const prepared = this.#prepare(options.method ?? "GET", path, options, false);
    const call = this.#callScope(options.budgetMs);
    let handedOver = false;
    try {
      const streamed = await guarded(
        call.scope,
        this.#options.dependency,
        (attemptSignal) =>
          this.#tryEndpoints(prepared, attemptSignal, call.signal, true, async (response, release) => {
            if (response.status < 200 || response.status > 299) {
              await response.body?.cancel();
              throw new HttpStatusError(response.status, { retryAfterMs: retryAfterMs(response) });
            }
            if (declaredTooLarge(response.headers, options.maxBytes)) {
              await response.body?.cancel();
              throw new ResponseTooLargeError(options.maxBytes ?? 0);
            }
            const ended = (): void => {
              release();
              call.dispose();
            };
            const body = response.body
              ? boundedBody(response.body as ReadableStream<Uint8Array>, { maxBytes: options.maxBytes, signal: call.signal, onEnd: ended })
              : emptyBody(ended);
            return { status: response.status, headers: response.headers, body };
          }),
        { idempotent: prepared.repeatable },
      );
      handedOver = true;
      return streamed;
    } finally {
      if (!handedOver) call.dispose();
    }
  }

  /** Each base URL's circuit as this isolate sees it (one base URL: its health is the dependency's breaker). */
  endpointStates(): EndpointState[] {
    return this.#pool?.states() ?? this.#options.baseUrls.map((baseUrl) => ({ baseUrl, state: "CLOSED" }));
  }

  async #dataOrHead<T>(method: HttpMethod, path: string, options: BodyCallOptions & { schema?: z.ZodType<T> }): Promise<T | ResponseHead> {
    const { schema, ...rest } = options;
    if (schema) return (await this.request(method, path, { ...rest, schema })).data;
    const { status, headers } = await this.request(method, path, rest);
    return { status, headers };
  }

  /** Checks and encodes a request once: its target under every base URL, headers, body, whether it may repeat. */
  #prepare(method: HttpMethod, path: string, options: BodyCallOptions, expectsJson: boolean): Prepared {
    const target = requestTarget(path, options.query === undefined ? undefined : toSearchParams(options.query));
    const urls = new Map<string, URL>();
    this.#options.baseUrls.forEach((raw, index) => {
      const url = requestUrl(this.#baseUrls[index] as URL, target);
      const policy = this.#options.urlPolicy;
      if (policy) {
        const verdict = checkOutboundUrl(url.href, policy);
        if (!verdict.ok) throw new OutboundUrlRefusedError(verdict.reason);
      }
      urls.set(raw, url);
    });
    const headers = new Headers(this.#options.headers);
    for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
    if (options.json !== undefined && options.body !== undefined) throw new TypeError("Send either `json` or `body`, not both");
    let body = options.body;
    if (options.json !== undefined) {
      body = JSON.stringify(options.json);
      if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
    }
    if (body !== undefined && (method === "GET" || method === "HEAD")) throw new TypeError(`A ${method} request has no body`);
    if (expectsJson && !headers.has("Accept")) headers.set("Accept", "application/json");
    if (options.idempotencyKey !== undefined) headers.set("Idempotency-Key", options.idempotencyKey);
    return { method, target, headers, body, repeatable: mayRepeat(method, options.idempotencyKey), urls };
  }

  /** The call's own scope: the caller's signal, or a budget that is a child of it. */
  #callScope(budgetMs: number | undefined): CallScope {
    const scope = this.#scope;
    const budget = budgetMs === undefined ? undefined : createDeadline(budgetMs, { parent: scope.signal });
    const signal = budget?.signal ?? scope.signal;
    return {
      scope: { env: scope.env, signal, waitUntil: (promise) => scope.waitUntil(promise), telemetry: scope.telemetry },
      signal,
      dispose: () => budget?.dispose(),
    };
  }

  /**
   * One guarded exchange: every attempt tries the base URLs in turn, and reads the body
   * (when asked) inside the attempt, under its timeout. A non-2xx answer is an
   * `HttpStatusError`, unless `keepErrors` (the cache stores some) or it is the 304 a
   * `conditional` request hopes for.
   */
  #exchange(
    prepared: Prepared,
    call: CallScope,
    read: { maxBytes: number | undefined; readBody: boolean; keepErrors?: boolean; conditional?: boolean },
  ): Promise<Fetched> {
    const maxBytes = read.maxBytes ?? DEFAULT_MAX_BYTES;
    return guarded(
      call.scope,
      this.#options.dependency,
      (attemptSignal) =>
        this.#tryEndpoints(prepared, attemptSignal, call.signal, false, async (response) => {
          const ok = response.status >= 200 && response.status <= 299;
          const notModified = response.status === 304 && read.conditional === true;
          if (!ok && !notModified && read.keepErrors !== true) {
            await response.body?.cancel();
            throw new HttpStatusError(response.status, { retryAfterMs: retryAfterMs(response) });
          }
          if (notModified || !read.readBody || prepared.method === "HEAD") {
            await response.body?.cancel();
            return { status: response.status, headers: response.headers, text: undefined };
          }
          if (declaredTooLarge(response.headers, maxBytes)) {
            await response.body?.cancel();
            throw new ResponseTooLargeError(maxBytes);
          }
          const text = await readBoundedText(response.body, { maxBytes, signal: attemptSignal });
          return { status: response.status, headers: response.headers, text };
        }),
      { idempotent: prepared.repeatable },
    );
  }

  /**
   * One attempt: the base URLs in the pool's order, skipping those whose breaker is open,
   * until one answers (any status but a transient one is an answer; a 4xx too). A request
   * that may not repeat goes to one base URL only. `streaming`: the body outlives the
   * attempt, so the fetch follows the call's signal until `release`, not the attempt's.
   */
  async #tryEndpoints<R>(
    prepared: Prepared,
    attemptSignal: AbortSignal,
    callSignal: AbortSignal,
    streaming: boolean,
    handle: (response: Response, release: () => void) => Promise<R>,
  ): Promise<R> {
    const order = this.#pool?.order() ?? this.#options.baseUrls;
    let lastError: unknown;
    let sent = 0;
    let soonest = Number.POSITIVE_INFINITY;
    for (const baseUrl of order) {
      if (sent > 0 && !prepared.repeatable) break;
      const admission = this.#pool?.admit(baseUrl);
      if (admission && !admission.ok) {
        soonest = Math.min(soonest, admission.retryAfterMs);
        continue;
      }
      sent++;
      const link = streaming ? linkedSignal(attemptSignal, callSignal) : undefined;
      let verdict: Verdict = "release";
      let handedOver = false;
      try {
        let response: Response;
        try {
          // Failover is sequential on purpose: the next base URL is only worth a try when
          // this one failed.
          // eslint-disable-next-line no-await-in-loop
          response = await fetch(prepared.urls.get(baseUrl) as URL, {
            method: prepared.method,
            headers: prepared.headers,
            body: prepared.body,
            signal: link?.signal ?? attemptSignal,
            // A redirect could lead anywhere, past the checks its first URL passed: it is an
            // answer (a 3xx error), never followed.
            redirect: "manual",
          });
        } catch (error) {
          verdict = verdictOf(error, { caller: callSignal, attempt: attemptSignal }) === "release" ? "release" : "failure";
          if (attemptSignal.aborted || callSignal.aborted) throw error;
          lastError = error; // no answer at all (refused, reset): the next base URL may give one
          continue;
        }
        if (isTransientStatus(response.status)) {
          // eslint-disable-next-line no-await-in-loop
          await response.body?.cancel();
          verdict = "failure";
          lastError = new HttpStatusError(response.status, { retryAfterMs: retryAfterMs(response) });
          continue;
        }
        // The headers are in: from here a stream's body is bound to the call alone.
        link?.detachAttempt();
        try {
          // eslint-disable-next-line no-await-in-loop
          const result = await handle(response, () => link?.release());
          handedOver = true;
          verdict = "success";
          return result;
        } catch (error) {
          verdict = verdictOf(error, { caller: callSignal, attempt: attemptSignal });
          // Out of time, or an answer after all (a 4xx, a body too large…): no other base
          // URL would do better. A connection lost mid-body may.
          if (attemptSignal.aborted || verdict !== "failure") throw error;
          lastError = error;
        }
      } finally {
        if (!handedOver) link?.release();
        if (admission) this.#pool?.complete(baseUrl, admission.ticket, verdict);
      }
    }
    if (sent === 0) throw new BrokenCircuitError(this.#options.dependency, Number.isFinite(soonest) ? soonest : 0, "OPEN");
    throw lastError;
  }

  /**
   * A GET through the response cache: fresh → HIT, no upstream call; stale with a validator
   * → a conditional request, and a 304 makes the stored answer fresh again (REVALIDATED);
   * otherwise the upstream's answer, stored in the background when it may be (MISS). When
   * Redis cannot answer, straight to the upstream (BYPASS). Requests with a credential are
   * left out unless the cache allows them, and so are requests that are already conditional.
   */
  async #cachedGet(
    prepared: Prepared,
    call: CallScope,
    cache: ResponseCacheOptions,
    maxBytes: number | undefined,
    readBody: boolean,
  ): Promise<{ fetched: Fetched; cacheStatus: CacheStatus | undefined }> {
    const { headers, target } = prepared;
    const credentialed = carriesCredentials(headers, target);
    const ownConditional = ["If-None-Match", "If-Modified-Since", "Range"].some((name) => headers.has(name));
    if ((credentialed && cache.allowCredentials !== true) || ownConditional) {
      return { fetched: await this.#exchange(prepared, call, { maxBytes, readBody }), cacheStatus: undefined };
    }
    const keyed = [...(cache.vary ?? []), ...(credentialed ? credentialHeaderNames(headers) : [])].map((name) => name.toLowerCase());
    const key = await cacheKey(this.#options.dependency, cacheKeyMaterial(this.#options.baseUrls, target, keyed, headers));
    const stored = await readCachedResponse(call.scope, key);
    const entry = stored === "unavailable" ? undefined : stored;
    if (entry && Date.now() < entry.freshUntil) return { fetched: fromEntry(entry), cacheStatus: "HIT" };

    const validators = entry ? validatorsOf(entry) : undefined;
    const conditional = validators ? { ...prepared, headers: withHeaders(headers, validators) } : prepared;
    // Every answer's body is read here, errors included: a 404 may be stored too.
    const fetched = await this.#exchange(conditional, call, { maxBytes, readBody: true, keepErrors: true, conditional: validators !== undefined });

    if (fetched.status === 304 && entry) {
      const merged = new Headers(entry.headers);
      for (const name of STORED_HEADERS) {
        const value = fetched.headers.get(name);
        if (value !== null) merged.set(name, value);
      }
      const refreshed: CachedResponse = { ...entry, headers: storedHeaders(merged) };
      this.#store(key, refreshed, cache, keyed);
      return { fetched: fromEntry(refreshed), cacheStatus: "REVALIDATED" };
    }
    if (stored !== "unavailable" && fetched.text !== undefined) {
      this.#store(key, { v: 1, status: fetched.status, headers: storedHeaders(fetched.headers), body: fetched.text, freshUntil: 0 }, cache, keyed);
    }
    return { fetched: readBody ? fetched : { ...fetched, text: undefined }, cacheStatus: stored === "unavailable" ? "BYPASS" : "MISS" };
  }

  /** Writes an entry in the background if its answer may be stored, fresh for as long as it may be. */
  #store(key: string, entry: CachedResponse, cache: ResponseCacheOptions, keyed: readonly string[]): void {
    const headers = new Headers(entry.headers);
    const freshSeconds = freshnessOf(entry.status, headers, cache.ttlSeconds, keyed);
    if (freshSeconds === undefined) return;
    const hasValidator = headers.has("ETag") || headers.has("Last-Modified");
    const keepSeconds = freshSeconds + (hasValidator ? (cache.revalidateSeconds ?? cache.ttlSeconds * 10) : 0);
    const fresh: CachedResponse = { ...entry, freshUntil: Date.now() + freshSeconds * 1000 };
    if (!fitsInCache(fresh, cache.maxEntryBytes)) return;
    this.#scope.waitUntil(writeCachedResponse(this.#scope, key, fresh, keepSeconds));
  }

  #parse<T>(text: string, schema: z.ZodType<T>): T {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new UpstreamShapeError(`${this.#options.dependency} answered something that is not JSON`);
    }
    const parsed = schema.safeParse(json);
    if (!parsed.success) throw new UpstreamShapeError(`${this.#options.dependency} answered an unexpected shape`);
    return parsed.data;
  }
}

function retryAfterMs(response: Response): number | undefined {
  return parseRetryAfter(response.headers.get("Retry-After"), Date.now());
}

function fromEntry(entry: CachedResponse): Fetched {
  return { status: entry.status, headers: new Headers(entry.headers), text: entry.body };
}

function storedHeaders(headers: Headers): [string, string][] {
  return STORED_HEADERS.flatMap((name): [string, string][] => {
    const value = headers.get(name);
    return value === null ? [] : [[name, value]];
  });
}

function validatorsOf(entry: CachedResponse): Record<string, string> | undefined {
  const headers = new Headers(entry.headers);
  const etag = headers.get("ETag");
  if (etag !== null) return { "If-None-Match": etag };
  const modified = headers.get("Last-Modified");
  return modified === null ? undefined : { "If-Modified-Since": modified };
}

function withHeaders(headers: Headers, extra: Record<string, string>): Headers {
  const merged = new Headers(headers);
  for (const [name, value] of Object.entries(extra)) merged.set(name, value);
  return merged;
}

function emptyBody(onEnd: () => void): ReadableStream<Uint8Array> {
  onEnd();
  return new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
}

/**
 * The signal of a streamed fetch: it follows the attempt's signal until the headers are in
 * (`detachAttempt`: the attempt's timeout covers getting them), and the call's until the
 * body is done (`release`), so the call's deadline covers the whole body.
 */
function linkedSignal(attempt: AbortSignal, call: AbortSignal): { signal: AbortSignal; detachAttempt(): void; release(): void } {
  const controller = new AbortController();
  const follow = (source: AbortSignal): (() => void) => {
    const onAbort = (): void => controller.abort(source.reason);
    if (source.aborted) onAbort();
    else source.addEventListener("abort", onAbort, { once: true });
    return () => source.removeEventListener("abort", onAbort);
  };
  const detachAttempt = follow(attempt);
  const detachCall = follow(call);
  return {
    signal: controller.signal,
    detachAttempt,
    release: () => {
      detachAttempt();
      detachCall();
    },
  };
}
