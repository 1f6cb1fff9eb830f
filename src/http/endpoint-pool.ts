import { CircuitBreaker, type CircuitStateKind, type Ticket } from "../resilience";

/**
 * How the calls are spread over a service's base URLs:
 * - `round-robin` (the default): each call starts with the next healthy base URL, so the
 *   load is shared evenly; a failed one is followed by the others in the same order;
 * - `in-order`: always the first healthy one, the others as standbys (a primary and its
 *   failover replica).
 *
 * Round-robin rather than least-latency: inside a Worker the clock only moves across I/O
 * and each isolate sees few calls, so latency samples are coarse and sparse, and the
 * choice they would drive is hard to predict or test. A slow base URL is handled by the
 * per-attempt timeout (the attempt fails, and its breaker counts it), which takes it out of
 * the rotation once it keeps failing.
 */
export type BalanceMode = "round-robin" | "in-order";

/** What a base URL's breaker answers for one call. */
export type EndpointAdmission = { ok: true; ticket: Ticket } | { ok: false; retryAfterMs: number };

export interface EndpointState {
  baseUrl: string;
  state: CircuitStateKind;
}

/**
 * The isolate's view of one service's base URLs: whose turn it is, and a circuit breaker
 * per base URL (the state machine of src/resilience, with the dependency's thresholds), so a
 * base URL that keeps failing is skipped at once, without a connection attempt, until its
 * break is over and probes find it healthy again.
 *
 * Per isolate on purpose: it steers which base URL this isolate calls next, so it must be
 * decided synchronously on every call, and each isolate learns it from its own calls within
 * a few requests. The dependency as a whole keeps its breaker shared by the fleet (the
 * Durable Object behind `guarded()`): when every base URL fails, that one opens.
 */
export class EndpointPool {
  readonly baseUrls: readonly string[];
  readonly #breakers: ReadonlyMap<string, CircuitBreaker>;
  readonly #mode: BalanceMode;
  #next = 0;

  constructor(baseUrls: readonly string[], createBreaker: (baseUrl: string) => CircuitBreaker, mode: BalanceMode = "round-robin") {
    this.baseUrls = [...baseUrls];
    this.#breakers = new Map(this.baseUrls.map((baseUrl) => [baseUrl, createBreaker(baseUrl)]));
    this.#mode = mode;
  }

  /** The base URLs in the order one call should try them: the rotation's next first. */
  order(): string[] {
    if (this.#mode === "in-order" || this.baseUrls.length < 2) return [...this.baseUrls];
    const start = this.#next % this.baseUrls.length;
    this.#next = (start + 1) % this.baseUrls.length;
    return [...this.baseUrls.slice(start), ...this.baseUrls.slice(0, start)];
  }

  /** Asks `baseUrl`'s breaker for a call (a probe slot while it is half-open). */
  admit(baseUrl: string): EndpointAdmission {
    const admission = this.#breaker(baseUrl).tryAcquire();
    return admission.ok ? admission : { ok: false, retryAfterMs: admission.retryAfterMs };
  }

  /** How the admitted call to `baseUrl` ended: every ticket from `admit` comes back here. */
  complete(baseUrl: string, ticket: Ticket, verdict: "success" | "failure" | "release"): void {
    const breaker = this.#breaker(baseUrl);
    if (verdict === "success") breaker.success(ticket);
    else if (verdict === "failure") breaker.failure(ticket);
    else breaker.release(ticket);
  }

  /** Each base URL's circuit as this isolate sees it, for logs and operators. */
  states(): EndpointState[] {
    return this.baseUrls.map((baseUrl) => ({ baseUrl, state: this.#breaker(baseUrl).state.kind }));
  }

  #breaker(baseUrl: string): CircuitBreaker {
    const breaker = this.#breakers.get(baseUrl);
    if (!breaker) throw new Error(`${baseUrl} is not one of this pool's base URLs`);
    return breaker;
  }
}
