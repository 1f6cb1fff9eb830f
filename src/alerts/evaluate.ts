/**
 * The alerts' state machine, pure (time is passed in): each rule is firing or resolved,
 * and only a change of state makes an event (logged, kept in the history, sent to the
 * webhook), so a condition that lasts never sends a second notification.
 *
 * Against storms: a rule fires as soon as its condition holds, but resolves only once the
 * condition has stayed clear for `resolveAfterMs` (Prometheus calls it `keep_firing_for`).
 * A condition that flaps inside that time keeps the rule firing, so a rule sends at most
 * one firing and one resolution per `resolveAfterMs`, however its condition flaps.
 */

export type AlertState = "firing" | "resolved";

/** One rule's state, as the metrics object keeps it. */
export interface RuleState {
  firing: boolean;
  /** While firing: when this episode began (ms since the epoch). */
  since?: number;
  /** The last value measured (a ratio, a count), for rules that measure one. */
  value?: number;
  /** While firing: since when the condition has been clear (the resolution waits for the hold). */
  clearSince?: number;
}

/** A change of state: what the history keeps and the webhook receives. */
export interface AlertEvent {
  /** The rule's id. */
  id: string;
  state: AlertState;
  at: string;
  /** When the episode began: a firing and its resolution carry the same `since`. */
  since: string;
  value?: number;
  message: string;
}

/** What a rule sees now: whether its condition holds, what it measured, and in words. */
export interface Observation {
  id: string;
  breached: boolean;
  value?: number;
  message: string;
}

export interface AlertBook {
  rules: Record<string, RuleState>;
  /** Newest first, at most {@link HISTORY_SIZE}. */
  history: AlertEvent[];
}

export const HISTORY_SIZE = 50;

/**
 * Moves every rule on by one observation at `now` and returns the changes, oldest first.
 * `observations` is the whole rule set: a rule no longer configured is forgotten.
 *
 * @example
 * const events = advance(book, observe(rules, inputs, now), now, 120_000);
 */
export function advance(book: AlertBook, observations: readonly Observation[], now: number, resolveAfterMs: number): AlertEvent[] {
  const events: AlertEvent[] = [];
  const known = new Set(observations.map((o) => o.id));
  book.rules = Object.fromEntries(Object.entries(book.rules).filter(([id]) => known.has(id)));
  for (const observation of observations) {
    const rule = (book.rules[observation.id] ??= { firing: false });
    if (observation.value === undefined) delete rule.value;
    else rule.value = observation.value;
    if (!rule.firing) {
      if (!observation.breached) continue;
      rule.firing = true;
      rule.since = now;
      delete rule.clearSince;
      events.push(eventOf(observation, "firing", now, now));
    } else if (observation.breached) {
      delete rule.clearSince;
    } else {
      rule.clearSince ??= now;
      if (now - rule.clearSince < resolveAfterMs) continue;
      events.push(eventOf(observation, "resolved", now, rule.since ?? now));
      rule.firing = false;
      delete rule.since;
      delete rule.clearSince;
    }
  }
  book.history = [...events.toReversed(), ...book.history].slice(0, HISTORY_SIZE);
  return events;
}

/** When the earliest pending resolution is due (a firing rule whose condition has cleared), or null. */
export function nextResolutionAt(book: AlertBook, resolveAfterMs: number): number | null {
  const due = Object.values(book.rules).flatMap((rule) => (rule.firing && rule.clearSince !== undefined ? [rule.clearSince + resolveAfterMs] : []));
  return due.length === 0 ? null : Math.min(...due);
}

function eventOf(observation: Observation, state: AlertState, now: number, since: number): AlertEvent {
  return {
    id: observation.id,
    state,
    at: new Date(now).toISOString(),
    since: new Date(since).toISOString(),
    ...(observation.value === undefined ? {} : { value: observation.value }),
    message: observation.message,
  };
}
