import type { DependencyName, DependencyPolicy } from "../config/dependencies";
import type { CircuitBreakerObject } from "../objects/circuit-breaker-object";
import {
  BrokenCircuitError,
  decideFromView,
  isNewerView,
  OutcomeBuffer,
  systemClock,
  type BreakerView,
  type Clock,
  type Ticket,
} from "../resilience";

/**
 * How long an isolate trusts its cached view of a circuit before refreshing it. Together
 * with one Durable Object round trip this is the propagation bound: a state change made by
 * the object reaches every isolate that is serving traffic within VIEW_TTL_MS + one RTT.
 * One second keeps the object's load at about one call per second per isolate (far under
 * its ~1,000 req/s) while a fleet stops calling a dead dependency within a second or so;
 * isolates that see failures themselves react at once (see `#localTrip`).
 */
export const VIEW_TTL_MS = 1_000;
/** Outcomes are sent at most this often while all goes well… */
const FLUSH_INTERVAL_MS = 1_000;
/** …and this soon after a failure, so the object learns of an outage quickly. */
const FAILURE_FLUSH_MS = 50;

export type Permit = { kind: "local" } | { kind: "ticket"; ticket: Ticket };

interface Circuit {
  view: BreakerView | undefined;
  fetchedAt: number;
  refreshing: Promise<void> | undefined;
  outcomes: OutcomeBuffer;
  lastFlushAt: number;
  /** Failures in a row seen by this isolate, and calls it has in flight. */
  localFailures: number;
  inFlight: number;
  /** Outcomes arrived while a report was on its way. */
  reportAgain: boolean;
  /** Until when a local trip holds calls back. */
  localTripUntil: number;
}

/** The Durable Object methods the client calls: the binding's stubs have them, and so do tests' plain objects. */
export type BreakerObject = Pick<CircuitBreakerObject, "acquire" | "complete" | "report">;

/** What the client needs of the CIRCUIT_BREAKERS binding: one object per dependency, by name. */
export interface BreakerNamespace {
  idFromName(name: string): DurableObjectId;
  get(id: DurableObjectId): BreakerObject;
}

export interface BreakerContext {
  namespace: BreakerNamespace;
  waitUntil(promise: Promise<unknown>): void;
  policy: DependencyPolicy;
}

/**
 * The isolate's side of the shared breakers: a cached view per dependency and a buffer of
 * outcomes. While a circuit is CLOSED a call costs no Durable Object round trip: the view
 * is refreshed in the background (stale-while-revalidate) and outcomes go in batches via
 * `waitUntil`. Only HALF_OPEN probes, which must be claimed one by one, wait on the object.
 */
export class BreakerClient {
  readonly #circuits = new Map<DependencyName, Circuit>();
  readonly #clock: Clock;

  /** `clock`: the isolate's by default; tests pass a manual one. */
  constructor(clock: Clock = systemClock) {
    this.#clock = clock;
  }

  async admit(name: DependencyName, ctx: BreakerContext): Promise<Permit> {
    const circuit = this.#circuit(name);
    const now = this.#clock.now();
    if (!circuit.view || now - circuit.fetchedAt > VIEW_TTL_MS) this.#refresh(name, circuit, ctx);
    const view = circuit.view ?? closedView(name);
    const decision = decideFromView(view, now);
    if (decision.action === "reject") throw new BrokenCircuitError(name, decision.retryAfterMs, decision.state);
    if (decision.action === "claim") {
      const probe = await this.#claim(name, circuit, ctx);
      if (probe) return probe;
    }
    // Free to call, but this isolate has just seen failures: let no more calls out than
    // would trip the breaker, so a dead dependency is not hit by every waiting request.
    const threshold = ctx.policy.breaker.consecutiveFailures;
    // After a local trip's break, let one call test the water even if the object never
    // heard (it may have dropped the report): a local lockout must not outlive the break.
    if (circuit.localFailures >= threshold && now >= circuit.localTripUntil) circuit.localFailures = threshold - 1;
    if (circuit.localFailures > 0 && circuit.localFailures + circuit.inFlight >= threshold) {
      throw new BrokenCircuitError(name, FAILURE_FLUSH_MS, "OPEN");
    }
    circuit.inFlight++;
    return { kind: "local" };
  }

  /** Reports how the admitted call ended: a verdict, or none (`release`: the caller gave up). */
  complete(name: DependencyName, permit: Permit, verdict: "success" | "failure" | "release", ctx: BreakerContext): void {
    const circuit = this.#circuit(name);
    if (permit.kind === "ticket") {
      const reported = this.#stub(name, ctx)
        .complete(name, permit.ticket, verdict)
        .then((view) => this.#adopt(circuit, view))
        .catch(() => undefined); // the probe's lease expires on its own
      ctx.waitUntil(reported);
      return;
    }
    circuit.inFlight--;
    if (verdict === "release") return;
    circuit.outcomes.record(verdict === "success");
    circuit.localFailures = verdict === "success" ? 0 : circuit.localFailures + 1;
    if (verdict === "failure" && circuit.localFailures >= ctx.policy.breaker.consecutiveFailures) this.#localTrip(name, circuit, ctx);
    const due = verdict === "failure" ? FAILURE_FLUSH_MS : FLUSH_INTERVAL_MS;
    if (this.#clock.now() - circuit.lastFlushAt >= due) this.#refresh(name, circuit, ctx);
  }

  /** What this isolate currently believes, for /health and the admin routes. */
  cachedView(name: DependencyName): BreakerView | undefined {
    return this.#circuits.get(name)?.view;
  }

  /** Adopts a view just read from the object (e.g. after an admin action). */
  adopt(name: DependencyName, view: BreakerView): void {
    this.#adopt(this.#circuit(name), view, true);
  }

  #circuit(name: DependencyName): Circuit {
    let circuit = this.#circuits.get(name);
    if (!circuit) {
      circuit = {
        view: undefined,
        fetchedAt: 0,
        refreshing: undefined,
        outcomes: new OutcomeBuffer({ clock: this.#clock }),
        lastFlushAt: 0,
        localFailures: 0,
        inFlight: 0,
        reportAgain: false,
        localTripUntil: 0,
      };
      this.#circuits.set(name, circuit);
    }
    return circuit;
  }

  #stub(name: DependencyName, ctx: BreakerContext): BreakerObject {
    return ctx.namespace.get(ctx.namespace.idFromName(name));
  }

  /**
   * Sends the buffered outcomes and takes the object's current view in the same call; one
   * at a time per circuit, in the background (callers never wait for it). Outcomes recorded
   * while a report is on its way go in the next one, sent as soon as this one returns.
   */
  #refresh(name: DependencyName, circuit: Circuit, ctx: BreakerContext): void {
    if (circuit.refreshing) {
      circuit.reportAgain = true;
      return;
    }
    circuit.lastFlushAt = this.#clock.now();
    circuit.reportAgain = false;
    const batch = circuit.outcomes.drain();
    circuit.refreshing = this.#stub(name, ctx)
      .report(name, batch)
      .then((view) => {
        this.#adopt(circuit, view);
      })
      .catch(() => undefined) // the object is unreachable: keep the last view
      .finally(() => {
        circuit.refreshing = undefined;
        if (circuit.reportAgain && circuit.outcomes.size > 0) this.#refresh(name, circuit, ctx);
      });
    ctx.waitUntil(circuit.refreshing);
  }

  /** Enough failures seen here: stop calling now, and tell the object without delay. */
  #localTrip(name: DependencyName, circuit: Circuit, ctx: BreakerContext): void {
    const now = this.#clock.now();
    const base = circuit.view ?? closedView(name);
    const openUntil = now + ctx.policy.breaker.breakDurationMs;
    circuit.localTripUntil = openUntil;
    // Same version as the object's last word, so the object's next view replaces it.
    circuit.view = { ...base, state: "OPEN", openUntil, retryAfterMs: openUntil - now, at: base.at };
    this.#refresh(name, circuit, ctx);
  }

  /**
   * Asks the object for admission: a probe ticket (HALF_OPEN), undefined when the circuit
   * turned out CLOSED (the caller goes on as a local call), or a BrokenCircuitError.
   */
  async #claim(name: DependencyName, circuit: Circuit, ctx: BreakerContext): Promise<Permit | undefined> {
    let answer;
    try {
      answer = await this.#stub(name, ctx).acquire(name);
    } catch {
      // The breaker's object is unreachable: probe on our own, one call at a time.
      if (circuit.inFlight > 0) throw new BrokenCircuitError(name, FAILURE_FLUSH_MS, "HALF_OPEN");
      return undefined;
    }
    this.#adopt(circuit, answer.view);
    const { admission } = answer;
    if (!admission.ok) throw new BrokenCircuitError(name, admission.retryAfterMs, admission.state);
    return admission.ticket.kind === "probe" ? { kind: "ticket", ticket: admission.ticket } : undefined;
  }

  #adopt(circuit: Circuit, view: BreakerView, force = false): void {
    circuit.fetchedAt = this.#clock.now();
    if (!force && !isNewerView(view, circuit.view)) return;
    if (circuit.view && view.version > circuit.view.version) {
      // A real transition: outcomes buffered before it belong to the old state.
      circuit.outcomes.drain();
      // To CLOSED (probes succeeded, or an operator closed it): start afresh.
      if (view.state !== "OPEN") circuit.localFailures = 0;
    }
    circuit.view = view;
  }
}

const closedView = (name: DependencyName): BreakerView => ({
  dependency: name,
  state: "CLOSED",
  version: 0,
  openUntil: null,
  retryAfterMs: 0,
  at: 0,
});

/** One per isolate: the cache outlives requests on purpose. */
export const breakerClient = new BreakerClient();
