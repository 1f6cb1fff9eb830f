import { z } from "zod";
import type { TripStrategy } from "./breaker-strategy";
import { type BreakerView, type CircuitStateKind, decideFromView } from "./breaker-view";
import { type Clock, systemClock } from "./clock";
import type { RejectingState } from "./errors";

// The breaker's persisted shapes as zod schemas: the types below are inferred from them, and
// `restore()` parses a stored snapshot with them (it may come from an older deploy).
const count = z.int().min(0);
/** Absolute ms on the breaker's clock. zod 4 numbers exclude NaN and ±Infinity. */
const time = z.number();
const ProbeLeaseSchema = z.object({ id: count, expiresAt: time });
const CircuitStateSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("CLOSED"), since: time }),
  z.object({ kind: z.literal("OPEN"), since: time, until: time }),
  z.object({ kind: z.literal("HALF_OPEN"), since: time, probes: z.array(ProbeLeaseSchema), succeeded: count }),
  z.object({ kind: z.literal("FORCED_OPEN"), since: time }),
  z.object({ kind: z.literal("FORCED_CLOSED"), since: time }),
]);
const BreakerCountersSchema = z.object({
  successes: count,
  failures: count,
  rejections: count,
  /** Probes given back without a verdict (caller aborted) or whose lease expired. */
  releases: count,
  opens: count,
  lastTransitionAt: time.nullable(),
});
const SnapshotSchema = z.object({
  format: z.literal(1),
  state: CircuitStateSchema,
  /** Increases with every state transition. */
  version: count,
  /** Opens since the circuit last closed: drives break duration growth. */
  consecutiveOpens: count,
  nextProbeId: count,
  /** The strategy's own `toJSON()`; its `restore()` checks the rest. */
  strategy: z.looseObject({ kind: z.string() }),
  counters: BreakerCountersSchema,
});

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
export type CircuitState = z.infer<typeof CircuitStateSchema>;

// Declared with the view (breaker-view.ts), which must not import this file; a state added
// to the schema but not there fails to compile where a view is built from a state.
export type { CircuitStateKind };

/** A probe in flight. Its lease expires so that a probe whose result never comes back (the isolate died) does not hold its slot forever. */
export type ProbeLease = z.infer<typeof ProbeLeaseSchema>;

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

export type BreakerCounters = z.infer<typeof BreakerCountersSchema>;

/** Everything needed to rebuild the breaker: the output of `toJSON()`, input of `restore()`. */
export type CircuitBreakerSnapshot = z.infer<typeof SnapshotSchema>;

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
  clock?: Clock;
  /** A snapshot from `toJSON()`. Invalid or absent: start CLOSED. */
  initialState?: unknown;
}

/**
 * A circuit breaker: stops calling a dependency that keeps failing, so callers fail fast
 * instead of waiting on it, and lets a few probes through after a pause to find out whether
 * it recovered.
 *
 * Every method is synchronous and reads the time once: a Durable Object can load, decide
 * and save without an `await` between the decision and the state change (two concurrent
 * probe claims cannot both win the last slot). Time-driven transitions (OPEN → HALF_OPEN,
 * expired probe leases) happen lazily on the next call, or on `tick()` from an alarm set at
 * `nextTransitionAt()`. Isolates call a dependency on a cached {@link BreakerView} and
 * report what happened; see src/dependencies/breaker-client.ts.
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
    // The same decision an isolate takes from its cached view; only probe slots need more.
    const decision = decideFromView(this.#viewAt(now), now);
    if (decision.action === "reject") return this.#reject(decision.state, decision.retryAfterMs);
    const state = this.#state;
    // A claim only comes from HALF_OPEN here: tick() has already ended a finished break.
    if (decision.action === "call" || state.kind !== "HALF_OPEN") {
      return { ok: true, ticket: { kind: "call", version: this.#version } };
    }
    if (state.probes.length + state.succeeded >= this.#probes) {
      const earliest = Math.min(...state.probes.map((p) => p.expiresAt));
      return this.#reject("HALF_OPEN", Math.min(earliest - now, this.#baseMs));
    }
    const id = this.#nextProbeId++;
    state.probes.push({ id, expiresAt: now + this.#leaseMs });
    return { ok: true, ticket: { kind: "probe", version: this.#version, id } };
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
    return this.#viewAt(this.#clock.now());
  }

  #viewAt(now: number): BreakerView {
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
    this.#state = to;
    this.#version++;
    this.#counters.lastTransitionAt = now;
    if (to.kind === "OPEN") this.#counters.opens++;
    if (to.kind === "CLOSED") {
      // A closed circuit starts from a clean slate: no leftover counts, no grown break.
      this.#strategy.reset();
      this.#consecutiveOpens = 0;
    }
  }

  #load(value: unknown): void {
    const parsed = SnapshotSchema.safeParse(value);
    if (!parsed.success) return;
    const snapshot = parsed.data;
    this.#state = snapshot.state;
    this.#version = snapshot.version;
    this.#consecutiveOpens = snapshot.consecutiveOpens;
    this.#nextProbeId = snapshot.nextProbeId;
    this.#counters = snapshot.counters;
    this.#strategy.restore(snapshot.strategy);
  }
}

/** Normalises a reported outcome; counts that are not non-negative integers count as 0. */
function toCounts(outcome: Outcome): { successes: number; failures: number; at: number } {
  if ("ok" in outcome) return { successes: outcome.ok ? 1 : 0, failures: outcome.ok ? 0 : 1, at: outcome.at };
  return { successes: countOrZero(outcome.successes), failures: countOrZero(outcome.failures), at: outcome.at };
}

function countOrZero(value: number): number {
  return Number.isInteger(value) && value >= 0 ? value : 0;
}

function copyState(state: CircuitState): CircuitState {
  return state.kind === "HALF_OPEN" ? { ...state, probes: state.probes.map((p) => ({ ...p })) } : { ...state };
}
