import type { MetricsAggregate } from "./aggregate";

/** Minutes the metrics object keeps per-minute counts for: the alerts' longest window, and the console's sparklines. */
export const RECENT_MINUTES = 15;
const MINUTE_MS = 60_000;

/** One job's settled runs in one minute. */
export interface JobMinute {
  succeeded: number;
  failed: number;
  dead: number;
}

/** What happened in one minute, fleet-wide: requests, those answered 5xx, and each job's outcomes. */
export interface MinuteCounts {
  /** Start of the minute, in ms since the epoch. */
  minute: number;
  requests: number;
  serverErrors: number;
  jobs: Record<string, JobMinute>;
}

const minuteOf = (at: number) => Math.floor(at / MINUTE_MS) * MINUTE_MS;

/**
 * Adds a batch to the minute it arrives in, and drops minutes older than
 * {@link RECENT_MINUTES}. Batches leave each isolate within about a second, so the minute
 * of arrival is the minute of the events, give or take that second (a batch that failed to
 * send and came with the next counts in the later minute). Returns the ring, oldest first.
 *
 * @example
 * recent = recordMinute(recent, batch, Date.now());
 */
export function recordMinute(ring: MinuteCounts[], batch: MetricsAggregate, now: number): MinuteCounts[] {
  const minute = minuteOf(now);
  let entry = ring.find((m) => m.minute === minute);
  if (!entry) {
    entry = { minute, requests: 0, serverErrors: 0, jobs: {} };
    ring.push(entry);
    ring.sort((a, b) => a.minute - b.minute);
  }
  for (const route of Object.values(batch.routes)) {
    entry.requests += route.count;
    entry.serverErrors += route.errors;
  }
  for (const [name, job] of Object.entries(batch.jobs ?? {})) {
    if (job.succeeded + job.failed + job.dead === 0) continue;
    const counts = (entry.jobs[name] ??= { succeeded: 0, failed: 0, dead: 0 });
    counts.succeeded += job.succeeded;
    counts.failed += job.failed;
    counts.dead += job.dead;
  }
  return ring.filter((m) => m.minute > minute - RECENT_MINUTES * MINUTE_MS);
}

/** The minutes of the last `minutes` (the current one, partly gone, included). */
function inWindow(ring: readonly MinuteCounts[], now: number, minutes: number): MinuteCounts[] {
  const from = minuteOf(now) - (Math.min(minutes, RECENT_MINUTES) - 1) * MINUTE_MS;
  return ring.filter((m) => m.minute >= from && m.minute <= now);
}

/** Requests, 5xx answers and dead jobs (every job) over the last `minutes`. */
export function windowTotals(ring: readonly MinuteCounts[], now: number, minutes: number): { requests: number; serverErrors: number; dead: number } {
  const totals = { requests: 0, serverErrors: 0, dead: 0 };
  for (const m of inWindow(ring, now, minutes)) {
    totals.requests += m.requests;
    totals.serverErrors += m.serverErrors;
    for (const job of Object.values(m.jobs)) totals.dead += job.dead;
  }
  return totals;
}

/**
 * One job's last {@link RECENT_MINUTES} minutes, oldest first, every minute present (zeros
 * where nothing happened): what a sparkline draws.
 */
export function jobSeries(ring: readonly MinuteCounts[], name: string, now: number): ({ minute: string } & JobMinute)[] {
  const current = minuteOf(now);
  return Array.from({ length: RECENT_MINUTES }, (_, i) => {
    const minute = current - (RECENT_MINUTES - 1 - i) * MINUTE_MS;
    const counts = ring.find((m) => m.minute === minute)?.jobs[name];
    return { minute: new Date(minute).toISOString(), succeeded: counts?.succeeded ?? 0, failed: counts?.failed ?? 0, dead: counts?.dead ?? 0 };
  });
}

/**
 * Jobs of `name` settled (succeeded, failed or dead) per minute, averaged over the last
 * {@link RECENT_MINUTES} minutes, as Prometheus's `rate(…[15m]) * 60` would give it.
 */
export function jobsPerMinute(ring: readonly MinuteCounts[], name: string, now: number): number {
  let settled = 0;
  for (const m of inWindow(ring, now, RECENT_MINUTES)) {
    const counts = m.jobs[name];
    if (counts) settled += counts.succeeded + counts.failed + counts.dead;
  }
  return Math.round((settled / RECENT_MINUTES) * 100) / 100;
}
