import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { breakerOptions, dependencyPolicies, type DependencyName } from "../config/dependencies";
import { CircuitBreaker, type Admission, type BreakerCounters, type BreakerView, type Outcome, type Ticket } from "../resilience";
import { metricsObject } from "../observability/metrics-buffer";
import { describeError, log } from "../observability/logger";

const STORAGE_KEY = "breaker";

export interface BreakerStatus {
  view: BreakerView;
  counters: BreakerCounters;
}

/**
 * The shared state of one dependency's circuit breaker: one object per dependency (by
 * name), so every isolate of the fleet sees the same circuit. It only loads, decides and
 * saves; the state machine is `CircuitBreaker`. Each method decides synchronously before
 * its first await, so two isolates claiming the last half-open probe cannot both win.
 * Isolates call it rarely: they cache its view and report outcomes in batches.
 */
export class CircuitBreakerObject extends DurableObject<Bindings> {
  #breaker: CircuitBreaker | undefined;
  /** The version the alerts last heard of: transitions are announced, nothing else. */
  #announced: number | undefined;

  /** Asks for a ticket: a probe slot when HALF_OPEN (or when the break is over). */
  async acquire(name: DependencyName): Promise<{ admission: Admission; view: BreakerView }> {
    const breaker = await this.#load(name);
    const admission = breaker.tryAcquire();
    await this.#save(breaker);
    return { admission, view: breaker.view() };
  }

  /** The verdict on a ticket this object handed out. */
  async complete(name: DependencyName, ticket: Ticket, verdict: "success" | "failure" | "release"): Promise<BreakerView> {
    const breaker = await this.#load(name);
    if (verdict === "success") breaker.success(ticket);
    else if (verdict === "failure") breaker.failure(ticket);
    else breaker.release(ticket);
    await this.#save(breaker);
    return breaker.view();
  }

  /** A batch of outcomes an isolate saw while the circuit was CLOSED; answers the current view. */
  async report(name: DependencyName, outcomes: Outcome[]): Promise<BreakerView> {
    const breaker = await this.#load(name);
    breaker.recordOutcomes(outcomes);
    await this.#save(breaker);
    return breaker.view();
  }

  async status(name: DependencyName): Promise<BreakerStatus> {
    const breaker = await this.#load(name);
    breaker.tick();
    await this.#save(breaker);
    return { view: breaker.view(), counters: { ...breaker.counters } };
  }

  /** Operator actions (admin routes): hold it open or closed, or start over. */
  async force(name: DependencyName, action: "open" | "close" | "reset"): Promise<BreakerStatus> {
    const breaker = await this.#load(name);
    if (action === "open") breaker.forceOpen();
    else if (action === "close") breaker.forceClose();
    else breaker.reset();
    await this.#save(breaker);
    return { view: breaker.view(), counters: { ...breaker.counters } };
  }

  /** OPEN → HALF_OPEN when the break is over, and expired probe leases, without waiting for a call. */
  override async alarm(): Promise<void> {
    const name = await this.ctx.storage.get<DependencyName>("name");
    if (!name) return;
    const breaker = await this.#load(name);
    breaker.tick();
    await this.#save(breaker);
  }

  async #load(name: DependencyName): Promise<CircuitBreaker> {
    if (!this.#breaker) {
      // Storage reads hold the input gate: no other call interleaves with the restore.
      const snapshot = await this.ctx.storage.get(STORAGE_KEY);
      this.#breaker = CircuitBreaker.restore(snapshot, breakerOptions(name, dependencyPolicies(this.env)[name]));
      this.#announced = this.#breaker.version;
      await this.ctx.storage.put("name", name);
    }
    return this.#breaker;
  }

  async #save(breaker: CircuitBreaker): Promise<void> {
    // Persisted on every change, so the circuit survives eviction; toJSON is the whole state.
    await this.ctx.storage.put(STORAGE_KEY, breaker.toJSON());
    const next = breaker.nextTransitionAt();
    if (next !== null) await this.ctx.storage.setAlarm(next);
    this.#announce(breaker);
  }

  /**
   * Tells the metrics object, which evaluates the alerts, of a transition (to OPEN, to
   * HALF_OPEN, closed again…): one call per transition, in the background, never one per
   * request, and nobody waits for it. One that is lost is made good by the cron's check.
   */
  #announce(breaker: CircuitBreaker): void {
    if (breaker.version === this.#announced) return;
    this.#announced = breaker.version;
    const view = breaker.view();
    this.ctx.waitUntil(
      metricsObject(this.env)
        .breakerChanged(view)
        .catch((error: unknown) => log("warn", "breaker transition not reported to the alerts", { dependency: view.dependency, state: view.state, error: describeError(error) })),
    );
  }
}
