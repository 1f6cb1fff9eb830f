import type { z } from "zod";
import type { DependencyName } from "../config/dependencies";
import { guarded } from "../dependencies/guard";
import type { DependencyScope } from "../dependencies/scope";
import { HttpStatusError, isTransientStatus, parseRetryAfter } from "../resilience";

export interface ResilientHttpClientOptions {
  /** Which breaker, bulkhead and retry policy guard the calls. */
  dependency: DependencyName;
  /** One or more base URLs of the same service, tried in order when one is down (failover). */
  baseUrls: string[];
  /** Sent with every request, e.g. an API key. */
  headers?: Record<string, string>;
}

interface RequestBody {
  method: string;
  headers: Record<string, string>;
  body: string;
}

/** The upstream answered, but not with the shape we expect: never trust upstream shapes. */
export class UpstreamShapeError extends Error {
  override readonly name = "UpstreamShapeError";
}

/**
 * A client for an external HTTP API with every guard of the template: the request's
 * deadline (and an optional tighter budget), retries of idempotent calls, the dependency's
 * bulkhead and shared circuit breaker, failover across base URLs, and responses validated
 * by a zod schema.
 *
 * @example
 * const reviews = new ResilientHttpClient(scopeOf(c), { dependency: "reviews", baseUrls: [c.env.REVIEWS_API_URL] });
 * const body = await reviews.getJson(`/products/${id}/reviews`, ReviewsSchema, { budgetMs: 1_000 });
 */
export class ResilientHttpClient {
  readonly #scope: DependencyScope;
  readonly #options: ResilientHttpClientOptions;

  constructor(scope: DependencyScope, options: ResilientHttpClientOptions) {
    if (options.baseUrls.length === 0) throw new Error(`No base URL configured for ${options.dependency}`);
    this.#scope = scope;
    this.#options = options;
  }

  getJson<T>(path: string, schema: z.ZodType<T>, options: { budgetMs?: number } = {}): Promise<T> {
    return guarded(this.#scope, this.#options.dependency, (signal) => this.#fetchJson(path, { schema }, signal), {
      idempotent: true,
      budgetMs: options.budgetMs,
    });
  }

  /**
   * POSTs `body` as JSON; any 2xx is success, and the answer's body is not read. Retried
   * only with an `idempotencyKey`, sent as the `Idempotency-Key` header, so the receiver
   * can drop a repeat of a call it already took.
   */
  postJson(path: string, body: unknown, options: { budgetMs?: number; idempotencyKey?: string } = {}): Promise<void> {
    const headers: Record<string, string> = { "Content-Type": "application/json" };
    if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
    const init = { method: "POST", headers, body: JSON.stringify(body) };
    return guarded(this.#scope, this.#options.dependency, (signal) => this.#fetchJson(path, { init }, signal), {
      idempotent: options.idempotencyKey !== undefined,
      budgetMs: options.budgetMs,
    });
  }

  /** One attempt: each base URL in turn until one answers (a 4xx is an answer). */
  async #fetchJson(path: string, request: { schema?: undefined; init: RequestBody }, signal: AbortSignal): Promise<void>;
  async #fetchJson<T>(path: string, request: { schema: z.ZodType<T>; init?: RequestBody }, signal: AbortSignal): Promise<T>;
  async #fetchJson<T>(
    path: string,
    { schema, init }: { schema?: z.ZodType<T>; init?: RequestBody },
    signal: AbortSignal,
  ): Promise<T | undefined> {
    let lastError: unknown;
    for (const baseUrl of this.#options.baseUrls) {
      try {
        // Failover is sequential on purpose: the next endpoint is only worth a try when
        // this one failed.
        // eslint-disable-next-line no-await-in-loop
        const response = await fetch(new URL(path, baseUrl), {
          ...init,
          signal,
          headers: { ...this.#options.headers, ...init?.headers },
          // A redirect could lead anywhere, past the checks its first URL passed: it is an
          // answer (a 3xx error), never followed.
          redirect: "manual",
        });
        if (isTransientStatus(response.status)) {
          // eslint-disable-next-line no-await-in-loop
          await response.body?.cancel();
          lastError = new HttpStatusError(response.status, {
            retryAfterMs: parseRetryAfter(response.headers.get("Retry-After"), Date.now()),
          });
          continue;
        }
        if (!response.ok) {
          // eslint-disable-next-line no-await-in-loop
          await response.body?.cancel();
          throw new HttpStatusError(response.status);
        }
        if (!schema) {
          // eslint-disable-next-line no-await-in-loop
          await response.body?.cancel();
          return undefined;
        }
        // eslint-disable-next-line no-await-in-loop
        const parsed = schema.safeParse(await response.json());
        if (!parsed.success) throw new UpstreamShapeError(`${this.#options.dependency} answered an unexpected shape`);
        return parsed.data;
      } catch (error) {
        if (signal.aborted || error instanceof HttpStatusError || error instanceof UpstreamShapeError) throw error;
        lastError = error; // a network error: try the next endpoint
      }
    }
    throw lastError;
  }
}
