import { DurableObject } from "cloudflare:workers";
import type { Bindings } from "../env";
import { readConfig } from "../config/config";
import { emptyAggregate, mergeAggregate, type MetricsAggregate } from "../observability/aggregate";
import { recordMinute, type MinuteCounts } from "../observability/recent";
import { describeError, log } from "../observability/logger";
import type { BreakerView } from "../resilience";
import { advance, nextResolutionAt, type AlertBook, type AlertEvent } from "../alerts/evaluate";
import { observe, type BreakerState } from "../alerts/observe";
import { alertRules } from "../alerts/rules";
import { MAX_DELIVERY_ATTEMPTS, pendingDelivery, postAlert, retryDelayMs, type PendingDelivery } from "../alerts/deliver";

const KEYS = { total: "aggregate", recent: "recent", alerts: "alerts", outbox: "alert-outbox" } as const;

/** While a windowed rule fires, its window is looked at again this often, traffic or not. */
const WINDOW_RECHECK_MS = 60_000;
/** Notifications kept waiting at most (oldest dropped first, logged): an unreachable webhook must not grow storage. */
const MAX_OUTBOX = 100;

/** The totals with the per-minute counts of the last minutes (see observability/recent.ts). */
export type MetricsSnapshot = MetricsAggregate & { recent: MinuteCounts[] };

/** The alerts' state: the rules' book, and the breakers' last known states. */
interface AlertsStore extends AlertBook {
  breakers: Record<string, BreakerState>;
}

/** GET /admin/alerts. */
export interface AlertsReport {
  rules: { id: string; description: string; firing: boolean; since?: string; value?: number }[];
  history: AlertEvent[];
  /** Notifications: whether ALERT_WEBHOOK_URL is set, and how many wait to be delivered. */
  webhook: { configured: boolean; pending: number };
}

/**
 * The fleet-wide totals behind GET /metrics and GET /admin/slow-queries, the per-minute
 * counts of the last 15 minutes, and the alerts. Isolates send it their counts in batches
 * (at most one call per second each, via `waitUntil`), never per request; circuit breakers
 * tell it of their transitions. One object is enough at that rate (its limit is ~1,000
 * calls/s); in production the per-request stream goes to Workers Analytics Engine as well.
 *
 * Alerts are evaluated here, on every batch, on every breaker transition, on the cron's
 * check and when read; a change of state is logged, kept in a short history and queued in
 * an outbox (in storage, with the state that made it) that the object's alarm delivers to
 * ALERT_WEBHOOK_URL with retries, so no caller ever waits on the webhook.
 */
export class MetricsObject extends DurableObject<Bindings> {
  #total: MetricsAggregate = emptyAggregate();
  #recent: MinuteCounts[] = [];
  #alerts: AlertsStore = { rules: {}, history: [], breakers: {} };
  /** Mutated in place only: the alarm's delivery loop and the other calls interleave across its awaits. */
  readonly #outbox: PendingDelivery[] = [];
  #alarmAt: number | undefined;

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env);
    void ctx.blockConcurrencyWhile(async () => {
      const stored = await ctx.storage.get([KEYS.total, KEYS.recent, KEYS.alerts, KEYS.outbox]);
      this.#total = (stored.get(KEYS.total) as MetricsAggregate | undefined) ?? emptyAggregate();
      this.#recent = (stored.get(KEYS.recent) as MinuteCounts[] | undefined) ?? [];
      this.#alerts = (stored.get(KEYS.alerts) as AlertsStore | undefined) ?? this.#alerts;
      this.#outbox.push(...((stored.get(KEYS.outbox) as PendingDelivery[] | undefined) ?? []));
      this.#alarmAt = (await ctx.storage.getAlarm()) ?? undefined;
    });
  }

  async ingest(batch: MetricsAggregate): Promise<void> {
    const now = Date.now();
    mergeAggregate(this.#total, batch);
    this.#recent = recordMinute(this.#recent, batch, now);
    this.#evaluate(now);
    await this.ctx.storage.put({ [KEYS.total]: this.#total, [KEYS.recent]: this.#recent, ...this.#alertEntries() });
    await this.#schedule(now);
  }

  snapshot(): MetricsSnapshot {
    return { ...this.#total, recent: this.#recent };
  }

  /**
   * A circuit breaker's object announces a transition (one call per transition, never per
   * request). Views can arrive out of order: only a newer version counts.
   */
  async breakerChanged(view: BreakerView): Promise<void> {
    const known = this.#alerts.breakers[view.dependency];
    if (known && view.version <= known.version) return;
    this.#alerts.breakers[view.dependency] = { state: view.state, version: view.version };
    await this.#evaluateAndSave();
  }

  /** The cron's check: every breaker's state as its object reports it now (authoritative), then every rule. */
  async checkAlerts(views: BreakerView[]): Promise<void> {
    for (const view of views) this.#alerts.breakers[view.dependency] = { state: view.state, version: view.version };
    await this.#evaluateAndSave();
  }

  /** Every rule's state (evaluated now) and the latest changes, newest first. */
  async alerts(): Promise<AlertsReport> {
    await this.#evaluateAndSave();
    const config = readConfig(this.env);
    return {
      rules: alertRules(config).map((rule) => {
        const state = this.#alerts.rules[rule.id];
        return {
          id: rule.id,
          description: rule.description,
          firing: state?.firing ?? false,
          ...(state?.firing && state.since !== undefined ? { since: new Date(state.since).toISOString() } : {}),
          ...(state?.value === undefined ? {} : { value: state.value }),
        };
      }),
      history: this.#alerts.history,
      webhook: { configured: config.ALERT_WEBHOOK_URL !== undefined, pending: this.#outbox.length },
    };
  }

  /** Delivers the notifications that are due, resolves what has stayed clear, and looks again when needed. */
  override async alarm(): Promise<void> {
    this.#alarmAt = undefined;
    this.#evaluate(Date.now());
    await this.#deliver();
    await this.ctx.storage.put(this.#alertEntries());
    await this.#schedule(Date.now());
  }

  async #evaluateAndSave(): Promise<void> {
    const now = Date.now();
    this.#evaluate(now);
    await this.ctx.storage.put(this.#alertEntries());
    await this.#schedule(now);
  }

  #alertEntries(): Record<string, unknown> {
    return { [KEYS.alerts]: this.#alerts, [KEYS.outbox]: this.#outbox };
  }

  /** Moves every rule on; each change is logged, kept, and queued for the webhook when one is set. */
  #evaluate(now: number): void {
    const config = readConfig(this.env);
    const rules = alertRules(config);
    const events = advance(this.#alerts, observe(rules, { recent: this.#recent, breakers: this.#alerts.breakers }, now), now, config.ALERT_RESOLVE_AFTER_SECONDS * 1_000);
    for (const event of events) {
      const { id, state, ...fields } = event;
      log(state === "firing" ? "warn" : "info", state === "firing" ? "alert firing" : "alert resolved", { alert: id, ...fields });
      if (config.ALERT_WEBHOOK_URL === undefined) continue;
      this.#outbox.push(pendingDelivery(event, rules.find((rule) => rule.id === id)?.description ?? id, now));
    }
    const overflow = this.#outbox.length - MAX_OUTBOX;
    if (overflow > 0) {
      const dropped = this.#outbox.splice(0, overflow);
      log("error", "alert notifications dropped: too many waiting", { dropped: dropped.map((d) => d.key) });
    }
  }

  /**
   * Sends what is due, in order per rule (a firing before its resolution): a notification
   * that fails holds back the later ones of its rule until its next attempt.
   */
  async #deliver(): Promise<void> {
    const config = readConfig(this.env);
    const url = config.ALERT_WEBHOOK_URL;
    if (url === undefined) {
      this.#outbox.splice(0);
      return;
    }
    const held = new Set<string>();
    for (const delivery of [...this.#outbox]) {
      const rule = delivery.notification.id;
      if (held.has(rule) || delivery.nextAttemptAt > Date.now()) {
        held.add(rule);
        continue;
      }
      // eslint-disable-next-line no-await-in-loop -- in order: a rule's firing reaches the receiver before its resolution
      const result = await postAlert(url, delivery, config);
      delivery.attempts++;
      const fields = { alert: rule, state: delivery.notification.state, since: delivery.notification.since, attempts: delivery.attempts };
      if (result.kind === "retry" && delivery.attempts < MAX_DELIVERY_ATTEMPTS) {
        delivery.nextAttemptAt = Date.now() + retryDelayMs(delivery.attempts);
        held.add(rule);
        log("warn", "alert notification not delivered; it will be retried", { ...fields, error: result.error });
        continue;
      }
      this.#outbox.splice(this.#outbox.indexOf(delivery), 1);
      if (result.kind === "delivered") log("info", "alert notification delivered", fields);
      else log("error", "alert notification dropped", { ...fields, error: result.error });
    }
  }

  /** The alarm: the next delivery attempt, the next pending resolution, or a firing window's next look. */
  async #schedule(now: number): Promise<void> {
    const config = readConfig(this.env);
    const candidates = [
      ...this.#outbox.map((delivery) => delivery.nextAttemptAt),
      nextResolutionAt(this.#alerts, config.ALERT_RESOLVE_AFTER_SECONDS * 1_000) ?? Infinity,
      alertRules(config).some((rule) => rule.kind !== "breaker" && this.#alerts.rules[rule.id]?.firing) ? now + WINDOW_RECHECK_MS : Infinity,
    ];
    const next = Math.max(now, Math.min(...candidates));
    if (!Number.isFinite(next) || (this.#alarmAt !== undefined && this.#alarmAt <= next)) return;
    try {
      await this.ctx.storage.setAlarm(next);
      this.#alarmAt = next;
    } catch (error) {
      log("error", "could not schedule the alerts' alarm", { error: describeError(error) });
    }
  }
}
