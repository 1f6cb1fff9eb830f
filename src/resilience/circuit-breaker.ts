import type { StrategySnapshot, TripStrategy } from "./breaker-strategy";
import { isTransientError } from "./classify";
import { type Clock, systemClock } from "./clock";
import {
  BrokenCircuitError,
  isAttemptTimeoutError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isDeadlineExceededError,
  type RejectingState,
} from "./errors";
import { abortReason, invoke, raceAbort, toError } from "./signal";

/**
 * The breaker's state, a discriminated union on `kind`. Plain JSON: it is part of the
 * snapshot a Durable Object persists.
 *
 * - CLOSED: calls pass; the strategy watches their outcomes.
 * - OPEN: calls are refused until `until`; then HALF_OPEN.
 * - HALF_OPEN: up to K probe calls are let through; K successes close the circuit, any
 *   failure opens it again (for longer, if growth is configured).
 * - FORCED_OPEN / FORCED_CLOSED: held by an operator; no automatic transition until
 *   `reset()` (or the other `force…()`).
 */
export type CircuitState =
  | { kind: "CLOSED"; since: number }
  | { kind: "OPEN"; since: number; until: number }
  | { kind: "HALF_OPEN"; since: number; probes: ProbeLease[]; succeeded: number }
  | { kind: "FORCED_OPEN"; since: number }
  | { kind: "FORCED_CLOSED"; since: number };

export type CircuitStateKind = CircuitState["kind"];

/** A probe in flight. Its lease expires so that a probe whose result never comes back (the isolate died) does not hold its slot forever. */
export interface ProbeLease {
  id: number;
  expiresAt: number;
}

/**
 * Proof of admission, handed back with the call's outcome. Plain data, so a Durable Object
 * can return it to an isolate and receive it back. `version` ties it to the state it was
 * issued in: an outcome for a ticket of an earlier state is counted but changes nothing.
 */
export type Ticket = { kind: "call"; version: number } | { kind: "probe"; version: number; id: number };

/** The answer of {@link CircuitBreaker.tryAcquire}. */
export type Admission =
  | { ok: true; ticket: Ticket }
  | { ok: false; state: RejectingState; retryAfterMs: number };

/**
 * An outcome reported after the fact (an isolate's batch): one call, or counts of calls that
 * happened at about the same time.
 */
export type Outcome = { ok: boolean; at: number } | { successes: number; failures: number; at: number };

export interface BreakerCounters {
  successes: number;
  failures: number;
  rejections: number;
  /** Probes given back without a verdict (caller aborted) or whose lease expired. */
  releases: number;
  opens: number;
  lastTransitionAt: number | null;
}

/** Everything needed to rebuild the breaker: the output of `toJSON()`, input of `restore()`. */
export interface CircuitBreakerSnapshot {
  format: 1;
  state: CircuitState;
  /** Increases with every state transition. */
  version: number;
  /** Opens since the circuit last closed: drives break duration growth. */
  consecutiveOpens: number;
  nextProbeId: number;
  strategy: StrategySnapshot;
  counters: BreakerCounters;
}

/**
 * What an isolate caches to decide locally, without asking the Durable Object, whether to
 * call a dependency. See `decideFromView` in breaker-view.ts.
 */
export interface BreakerView {
  dependency: string;
  state: CircuitStateKind;
  /** Keep the view with the highest version: responses can arrive out of order. */
  version: number;
  /** OPEN: when probes will be admitted (absolute ms); otherwise null. */
  openUntil: number | null;
  /** As of `at`, how long a refused caller should wait (0 when calls pass). */
  retryAfterMs: number;
  /** When the view was taken (the breaker's clock). */
  at: number;
}

export interface StateChange {
  dependency: string;
  from: CircuitState;
  to: CircuitState;
}

export interface CircuitBreakerOptions {
  /** The dependency, e.g. `"neon"`: names it in errors, views and events. */
  name: string;
  /** When to open: `new ConsecutiveFailures(5)`, `new FailureRate({...})`. One instance per breaker. */
  strategy: TripStrategy;
  /** How long the circuit stays OPEN the first time (ms). */
  breakDurationMs: number;
  /** Each open in a row (a probe failed) lasts this many times longer. Default 1: no growth. */
  breakDurationMultiplier?: number;
  /** Growth stops here (ms). Default 16 × `breakDurationMs`. */
  maxBreakDurationMs?: number;
  /** K: probes admitted in HALF_OPEN, and successes needed to close. Default 1. */
  halfOpenProbes?: number;
  /** A probe not reported within this time (ms) frees its slot. Longer than any request. Default 30 000. */
  probeLeaseMs?: number;
  /** Which errors of `execute()` count as failures. Default `isTransientError`; other errors count as successes (the dependency answered). */
  isFailure?: (error: Error) => boolean;
  clock?: Clock;
  /** A snapshot from `toJSON()`. Invalid or absent: start CLOSED. */
  initialState?: unknown;
  /** Called on every transition; for logs and metrics. Must not throw. */
  onStateChange?: (change: StateChange) => void;
}

/**
 * A circuit breaker: stops calling a dependency that keeps failing, so callers fail fast
 * instead of waiting on it, and lets a few probes through after a pause to find out whether
 * it recovered.
 *
 * Every method is synchronous except `execute`, and reads the time once: a Durable Object
 * can load, decide and save without an `await` between the decision and the state change
 * (two concurrent probe claims cannot both win the last slot). Time-driven transitions
 * (OPEN → HALF_OPEN, expired probe leases) happen lazily on the next call, or on `tick()`
 * from an alarm set at `nextTransitionAt()`.
 *
 * @example
 * // In one isolate:
 * const neonBreaker = circuitBreaker({ name: "neon", strategy: new ConsecutiveFailures(5), breakDurationMs: 10_000 });
 * const rows = await neonBreaker.execute(({ signal }) => query(signal), c.get("signal"));
 *
 * @example
 * // In a Durable Object (one per dependency), claiming a probe for an isolate:
 * const breaker = CircuitBreaker.restore(await this.ctx.storage.get("breaker"), options);
 * const admission = breaker.tryAcquire();          // decided synchronously
 * await this.ctx.storage.put("breaker", breaker.toJSON());
 * return { admission, view: breaker.view() };
 */
export class CircuitBreaker {
  readonly name: string;
  readonly #strategy: TripStrategy;
  readonly #clock: Clock;
  readonly #baseMs: number;
  readonly #multiplier: number;
  readonly #maxMs: number;
  readonly #probes: number;
  readonly #leaseMs: number;
  readonly #isFailure: (error: Error) => boolean;
  readonly #onStateChange: ((change: StateChange) => void) | undefined;

  #state: CircuitState;
  #version = 0;
  #consecutiveOpens = 0;
  #nextProbeId = 1;
  #counters: BreakerCounters = {
    successes: 0,
    failures: 0,
    rejections: 0,
    releases: 0,
    opens: 0,
    lastTransitionAt: null,
  };

  constructor(options: CircuitBreakerOptions) {
    const multiplier = options.breakDurationMultiplier ?? 1;
    const probes = options.halfOpenProbes ?? 1;
    if (!(options.breakDurationMs > 0)) throw new RangeError("breakDurationMs must be > 0");
    if (!(multiplier >= 1)) throw new RangeError("breakDurationMultiplier must be ≥ 1");
    if (!Number.isInteger(probes) || probes < 1) throw new RangeError("halfOpenProbes must be an integer ≥ 1");
    this.name = options.name;
    this.#strategy = options.strategy;
    this.#clock = options.clock ?? systemClock;
    this.#baseMs = options.breakDurationMs;
    this.#multiplier = multiplier;
    this.#maxMs = Math.max(options.maxBreakDurationMs ?? 16 * options.breakDurationMs, options.breakDurationMs);
    this.#probes = probes;
    this.#leaseMs = options.probeLeaseMs ?? 30_000;
    this.#isFailure = options.isFailure ?? isTransientError;
    this.#onStateChange = options.onStateChange;
    // `since: 0`: a breaker that never opened has no outage whose late reports to ignore.
    // (In a Durable Object it is created by the first report, whose outcomes came before.)
    this.#state = { kind: "CLOSED", since: 0 };
    this.#strategy.reset();
    if (options.initialState !== undefined) this.#load(options.initialState);
  }

  /** Rebuilds a breaker from a `toJSON()` snapshot (e.g. after Durable Object eviction); anything unreadable starts CLOSED. */
  static restore(snapshot: unknown, options: Omit<CircuitBreakerOptions, "initialState">): CircuitBreaker {
    return new CircuitBreaker({ ...options, initialState: snapshot });
  }

  /** The current state (time-driven transitions applied first). A copy: changing it changes nothing. */
  get state(): CircuitState {
    this.tick();
    return copyState(this.#state);
  }

  get version(): number {
    return this.#version;
  }

  get counters(): Readonly<BreakerCounters> {
    return { ...this.#counters };
  }

  /** Applies the transitions that are due by now: OPEN → HALF_OPEN, expiry of probe leases. */
  tick(): void {
    const now = this.#clock.now();
    const state = this.#state;
    if (state.kind === "OPEN" && now >= state.until) {
      this.#transition({ kind: "HALF_OPEN", since: now, probes: [], succeeded: 0 }, now);
    } else if (state.kind === "HALF_OPEN") {
      const live = state.probes.filter((p) => p.expiresAt > now);
      this.#counters.releases += state.probes.length - live.length;
      state.probes = live;
    }
  }

  /**
   * When the next time-driven transition is due (absolute ms): the end of OPEN, or the
   * earliest probe lease in HALF_OPEN; null when none is pending. For a Durable Object alarm.
   */
  nextTransitionAt(): number | null {
    this.tick();
    const state = this.#state;
    if (state.kind === "OPEN") return state.until;
    if (state.kind === "HALF_OPEN" && state.probes.length > 0) {
      return Math.min(...state.probes.map((p) => p.expiresAt));
    }
    return null;
  }

  /**
   * Asks to make a call, synchronously. CLOSED: a call ticket. HALF_OPEN with a free probe
   * slot: a probe ticket (the slot is taken now, before the caller awaits anything).
   * Otherwise a refusal with a `retryAfterMs` hint. Every ticket must come back through
   * `success`, `failure` or `release`.
   */
  tryAcquire(): Admission {
    this.tick();
    const now = this.#clock.now();
    const state = this.#state;
    switch (state.kind) {
      case "CLOSED":
      case "FORCED_CLOSED":
        return { ok: true, ticket: { kind: "call", version: this.#version } };
      case "OPEN":
        return this.#reject("OPEN", state.until - now);
      case "FORCED_OPEN":
        return this.#reject("FORCED_OPEN", this.#baseMs);
      case "HALF_OPEN": {
        if (state.probes.length + state.succeeded >= this.#probes) {
          const earliest = Math.min(...state.probes.map((p) => p.expiresAt));
          return this.#reject("HALF_OPEN", Math.min(earliest - now, this.#baseMs));
        }
        const id = this.#nextProbeId++;
        state.probes.push({ id, expiresAt: now + this.#leaseMs });
        return { ok: true, ticket: { kind: "probe", version: this.#version, id } };
      }
    }
  }

  /** The call of `ticket` succeeded. */
  success(ticket: Ticket): void {
    this.tick();
    const now = this.#clock.now();
    this.#counters.successes++;
    const state = this.#state;
    if (ticket.version !== this.#version) return;
    if (ticket.kind === "call" && state.kind === "CLOSED") {
      if (this.#strategy.record({ successes: 1, failures: 0, at: now }, now)) this.#open(now);
    } else if (ticket.kind === "probe" && state.kind === "HALF_OPEN" && this.#takeProbe(state, ticket.id)) {
      state.succeeded++;
      if (state.succeeded >= this.#probes) this.#transition({ kind: "CLOSED", since: now }, now);
    }
  }

  /** The call of `ticket` failed (the dependency is at fault). */
  failure(ticket: Ticket): void {
    this.tick();
    const now = this.#clock.now();
    this.#counters.failures++;
    const state = this.#state;
    if (ticket.version !== this.#version) return;
    if (ticket.kind === "call" && state.kind === "CLOSED") {
      if (this.#strategy.record({ successes: 0, failures: 1, at: now }, now)) this.#open(now);
    } else if (ticket.kind === "probe" && state.kind === "HALF_OPEN" && this.#takeProbe(state, ticket.id)) {
      this.#open(now);
    }
  }

  /**
   * The call of `ticket` ended without a verdict on the dependency (its caller aborted or ran
   * out of time): a probe's slot is freed for another caller, nothing is counted against
   * or for the dependency.
   */
  release(ticket: Ticket): void {
    this.tick();
    this.#counters.releases++;
    const state = this.#state;
    if (ticket.kind === "probe" && ticket.version === this.#version && state.kind === "HALF_OPEN") {
      this.#takeProbe(state, ticket.id);
    }
  }

  /**
   * Outcomes of calls made without tickets (isolates calling on a cached CLOSED view),
   * reported in batches. They feed the strategy, in time order, only while CLOSED and only
   * if they happened after it closed: outcomes from before are evidence about an earlier
   * state. (Probes are reported through their tickets, never here.)
   *
   * @example
   * breaker.recordOutcomes([{ ok: false, at: 1_000 }, { successes: 40, failures: 2, at: 2_000 }]);
   */
  recordOutcomes(outcomes: readonly Outcome[]): void {
    this.tick();
    const now = this.#clock.now();
    const ordered = outcomes.map(toCounts).sort((a, b) => a.at - b.at);
    for (const counts of ordered) {
      this.#counters.successes += counts.successes;
      this.#counters.failures += counts.failures;
      const state = this.#state;
      if (state.kind === "CLOSED" && counts.at >= state.since && this.#strategy.record(counts, now)) {
        this.#open(now);
      }
    }
  }

  /** Holds the circuit open (refusing everything) until `reset()` or `forceClose()`. */
  forceOpen(): void {
    const now = this.#clock.now();
    this.#transition({ kind: "FORCED_OPEN", since: now }, now);
  }

  /** Holds the circuit closed (admitting everything, never opening) until `reset()` or `forceOpen()`. */
  forceClose(): void {
    const now = this.#clock.now();
    this.#transition({ kind: "FORCED_CLOSED", since: now }, now);
  }

  /** Back to a fresh CLOSED: counts forgotten, break duration growth reset. Counters are kept. */
  reset(): void {
    const now = this.#clock.now();
    this.#transition({ kind: "CLOSED", since: now }, now);
  }

  /**
   * Runs `fn` through the breaker in this isolate: refused at once with a
   * `BrokenCircuitError` when the circuit does not admit it; otherwise its outcome is
   * recorded:
   * - an `AttemptTimeoutError` (the dependency was too slow) or an error `isFailure` accepts: failure;
   * - a caller abort, an exceeded deadline, or a refusal by another policy (bulkhead, inner
   *   breaker): released, no verdict (a probe slot goes back for another caller);
   * - any other error: success, the dependency did answer (e.g. with a constraint violation).
   *
   * @example
   * await breaker.execute(({ signal }) => fetch(url, { signal }), c.get("signal"));
   */
  async execute<T>(fn: (context: { signal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    // A caller that is already gone must not take a probe slot.
    if (signal?.aborted) throw abortReason(signal);
    const admission = this.tryAcquire();
    if (!admission.ok) throw new BrokenCircuitError(this.name, admission.retryAfterMs, admission.state);
    const ticket = admission.ticket;
    try {
      const value = await raceAbort(
        invoke(() => fn({ signal: signal ?? NEVER })),
        signal,
      );
      this.success(ticket);
      return value;
    } catch (thrown) {
      const error = toError(thrown);
      const verdict = this.#verdict(error, signal);
      if (verdict === "release") this.release(ticket);
      else if (verdict === "failure") this.failure(ticket);
      else this.success(ticket);
      throw error;
    }
  }

  /** A snapshot for persistence: plain JSON, restorable with `restore()`. */
  toJSON(): CircuitBreakerSnapshot {
    this.tick();
    return {
      format: 1,
      state: copyState(this.#state),
      version: this.#version,
      consecutiveOpens: this.#consecutiveOpens,
      nextProbeId: this.#nextProbeId,
      strategy: this.#strategy.toJSON(),
      counters: { ...this.#counters },
    };
  }

  /** The small view an isolate caches (see {@link BreakerView}). */
  view(): BreakerView {
    this.tick();
    const now = this.#clock.now();
    const state = this.#state;
    const base = { dependency: this.name, state: state.kind, version: this.#version, at: now };
    switch (state.kind) {
      case "OPEN":
        return { ...base, openUntil: state.until, retryAfterMs: Math.max(0, state.until - now) };
      case "FORCED_OPEN":
        return { ...base, openUntil: null, retryAfterMs: this.#baseMs };
      default:
        return { ...base, openUntil: null, retryAfterMs: 0 };
    }
  }

  /** What a failed `execute` says about the dependency. */
  #verdict(error: Error, signal: AbortSignal | undefined): "success" | "failure" | "release" {
    // An attempt timeout (a retry policy's, outside this breaker) means the dependency was
    // too slow: that is evidence against it, even though it arrives as an abort.
    if (isAttemptTimeoutError(error)) return "failure";
    // The caller left or ran out of time, or a local policy refused: nothing was learnt.
    if (signal?.aborted || error.name === "AbortError") return "release";
    if (isDeadlineExceededError(error) || isBulkheadRejectedError(error) || isBrokenCircuitError(error)) {
      return "release";
    }
    return this.#isFailure(error) ? "failure" : "success";
  }

  #reject(state: RejectingState, retryAfterMs: number): Admission {
    this.#counters.rejections++;
    return { ok: false, state, retryAfterMs: Math.max(0, retryAfterMs) };
  }

  /** Removes an outstanding probe; false when it is not (duplicate report, expired lease). */
  #takeProbe(state: Extract<CircuitState, { kind: "HALF_OPEN" }>, id: number): boolean {
    const index = state.probes.findIndex((p) => p.id === id);
    if (index === -1) return false;
    state.probes.splice(index, 1);
    return true;
  }

  #open(now: number): void {
    this.#consecutiveOpens++;
    // A huge exponent gives Infinity, which the cap turns back into a number.
    const duration = Math.min(this.#maxMs, this.#baseMs * this.#multiplier ** (this.#consecutiveOpens - 1));
    this.#transition({ kind: "OPEN", since: now, until: now + duration }, now);
  }

  #transition(to: CircuitState, now: number): void {
    const from = this.#state;
    this.#state = to;
    this.#version++;
    this.#counters.lastTransitionAt = now;
    if (to.kind === "OPEN") this.#counters.opens++;
    if (to.kind === "CLOSED") {
      // A closed circuit starts from a clean slate: no leftover counts, no grown break.
      this.#strategy.reset();
      this.#consecutiveOpens = 0;
    }
    this.#onStateChange?.({ dependency: this.name, from, to: copyState(to) });
  }

  #load(value: unknown): void {
    const snapshot = parseSnapshot(value);
    if (!snapshot) return;
    this.#state = snapshot.state;
    this.#version = snapshot.version;
    this.#consecutiveOpens = snapshot.consecutiveOpens;
    this.#nextProbeId = snapshot.nextProbeId;
    this.#counters = snapshot.counters;
    this.#strategy.restore(snapshot.strategy);
  }
}

/**
 * Creates a circuit breaker (see {@link CircuitBreaker}).
 *
 * @example
 * const breaker = circuitBreaker({
 *   name: "upstash",
 *   strategy: new FailureRate({ threshold: 0.5, minThroughput: 20, windowMs: 30_000 }),
 *   breakDurationMs: 5_000,
 *   breakDurationMultiplier: 2,
 *   maxBreakDurationMs: 60_000,
 *   halfOpenProbes: 3,
 * });
 */
export function circuitBreaker(options: CircuitBreakerOptions): CircuitBreaker {
  return new CircuitBreaker(options);
}

const NEVER = new AbortController().signal;

/** Normalises a reported outcome; counts that are not non-negative integers count as 0. */
function toCounts(outcome: Outcome): { successes: number; failures: number; at: number } {
  if ("ok" in outcome) return { successes: outcome.ok ? 1 : 0, failures: outcome.ok ? 0 : 1, at: outcome.at };
  return { successes: countOrZero(outcome.successes), failures: countOrZero(outcome.failures), at: outcome.at };
}

function countOrZero(value: number): number {
  return isCount(value) ? value : 0;
}

function copyState(state: CircuitState): CircuitState {
  return state.kind === "HALF_OPEN" ? { ...state, probes: state.probes.map((p) => ({ ...p })) } : { ...state };
}

// ---- Reading a snapshot back from storage: trust nothing, fall back to CLOSED. ----

function parseSnapshot(value: unknown): CircuitBreakerSnapshot | undefined {
  if (!isRecord(value) || value.format !== 1) return undefined;
  const { state, version, consecutiveOpens, nextProbeId, strategy, counters } = value;
  const parsedState = parseState(state);
  const parsedCounters = parseCounters(counters);
  if (!parsedState || !parsedCounters) return undefined;
  if (!isCount(version) || !isCount(consecutiveOpens) || !isCount(nextProbeId)) return undefined;
  if (!isRecord(strategy) || typeof strategy.kind !== "string") return undefined;
  return {
    format: 1,
    state: parsedState,
    version,
    consecutiveOpens,
    nextProbeId,
    strategy: strategy as StrategySnapshot,
    counters: parsedCounters,
  };
}

function parseState(value: unknown): CircuitState | undefined {
  if (!isRecord(value) || !isTime(value.since)) return undefined;
  const since = value.since;
  switch (value.kind) {
    case "CLOSED":
    case "FORCED_OPEN":
    case "FORCED_CLOSED":
      return { kind: value.kind, since };
    case "OPEN":
      return isTime(value.until) ? { kind: "OPEN", since, until: value.until } : undefined;
    case "HALF_OPEN": {
      const { probes, succeeded } = value;
      if (!Array.isArray(probes) || !isCount(succeeded)) return undefined;
      const leases = (probes as unknown[]).filter(
        (p): p is ProbeLease => isRecord(p) && isCount(p.id) && isTime(p.expiresAt),
      );
      if (leases.length !== probes.length) return undefined;
      return { kind: "HALF_OPEN", since, probes: leases.map((p) => ({ id: p.id, expiresAt: p.expiresAt })), succeeded };
    }
    default:
      return undefined;
  }
}

function parseCounters(value: unknown): BreakerCounters | undefined {
  if (!isRecord(value)) return undefined;
  const { successes, failures, rejections, releases, opens, lastTransitionAt } = value;
  if (![successes, failures, rejections, releases, opens].every(isCount)) return undefined;
  if (lastTransitionAt !== null && !isTime(lastTransitionAt)) return undefined;
  return {
    successes: successes as number,
    failures: failures as number,
    rejections: rejections as number,
    releases: releases as number,
    opens: opens as number,
    lastTransitionAt,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
}

function isTime(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}
