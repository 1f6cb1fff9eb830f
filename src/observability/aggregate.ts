import { emptyHistogram, merge, type Histogram } from "./histogram";

export interface RouteMetrics {
  method: string;
  route: string;
  count: number;
  /** Answers with status ≥ 500. */
  errors: number;
  /** Answers with status 400–499. */
  clientErrors: number;
  latency: Histogram;
}

export interface DependencyMetrics {
  calls: number;
  errors: number;
  timeouts: number;
  latency: Histogram;
  /**
   * Retries made: attempts after a call's first. This and `retryGiveUps` are optional
   * because totals stored (and batches sent) before they were counted lack them.
   */
  retries?: number;
  /** Calls the retry policy gave up on while a retry might have helped, by reason (`budget`, `max-attempts`…). */
  retryGiveUps?: Record<string, number>;
}

export interface SlowQuery {
  /** The SQL as sent, parameters left out (they stay `$1`, `$2`…). */
  statement: string;
  durationMs: number;
  at: string;
  requestId: string | null;
}

/** One job's runs, by job name. */
export interface JobMetrics {
  /** Runs that succeeded. */
  succeeded: number;
  /** Runs that failed with attempts left: the job will run again. */
  failed: number;
  /**
   * Jobs that ended dead, counted by the dead-letter consumer when it marks them: out of
   * attempts, refused for good, or never runnable (an unknown name, no row).
   */
  dead: number;
  /** Deliveries acknowledged without running: a repeat of a job already finished, or already in the batch. */
  duplicates: number;
  /** Time per run, every run (the last failure of a dead job included). */
  duration: Histogram;
}

/** Counters of requests, dependency calls, jobs and slow queries; also the shape of a batch. */
export interface MetricsAggregate {
  routes: Record<string, RouteMetrics>;
  dependencies: Record<string, DependencyMetrics>;
  slowQueries: { count: number; latest: SlowQuery[] };
  /** Optional: totals stored (and batches sent) before jobs were counted lack it. */
  jobs?: Record<string, JobMetrics>;
}

/** Slow queries kept for GET /admin/slow-queries, newest first. */
export const MAX_SLOW_QUERIES = 100;

export const emptyAggregate = (): MetricsAggregate => ({ routes: {}, dependencies: {}, slowQueries: { count: 0, latest: [] }, jobs: {} });

export function isEmpty(aggregate: MetricsAggregate): boolean {
  return (
    Object.keys(aggregate.routes).length === 0 &&
    Object.keys(aggregate.dependencies).length === 0 &&
    aggregate.slowQueries.count === 0 &&
    Object.keys(aggregate.jobs ?? {}).length === 0
  );
}

export function routeEntry(aggregate: MetricsAggregate, method: string, route: string): RouteMetrics {
  const key = `${method} ${route}`;
  return (aggregate.routes[key] ??= { method, route, count: 0, errors: 0, clientErrors: 0, latency: emptyHistogram() });
}

export function dependencyEntry(aggregate: MetricsAggregate, name: string): DependencyMetrics {
  return (aggregate.dependencies[name] ??= { calls: 0, errors: 0, timeouts: 0, latency: emptyHistogram(), retries: 0, retryGiveUps: {} });
}

export function jobEntry(aggregate: MetricsAggregate, name: string): JobMetrics {
  return ((aggregate.jobs ??= {})[name] ??= { succeeded: 0, failed: 0, dead: 0, duplicates: 0, duration: emptyHistogram() });
}

/** Adds `count` retry give-ups for `reason` to a dependency's entry. */
export function addRetryGiveUps(entry: DependencyMetrics, reason: string, count: number): void {
  const giveUps = (entry.retryGiveUps ??= {});
  giveUps[reason] = (giveUps[reason] ?? 0) + count;
}

/** Adds a batch into a total (the metrics Durable Object does this for every isolate's batch). */
export function mergeAggregate(into: MetricsAggregate, batch: MetricsAggregate): void {
  for (const entry of Object.values(batch.routes)) {
    const target = routeEntry(into, entry.method, entry.route);
    target.count += entry.count;
    target.errors += entry.errors;
    target.clientErrors += entry.clientErrors;
    merge(target.latency, entry.latency);
  }
  for (const [name, entry] of Object.entries(batch.dependencies)) {
    const target = dependencyEntry(into, name);
    target.calls += entry.calls;
    target.errors += entry.errors;
    target.timeouts += entry.timeouts;
    merge(target.latency, entry.latency);
    target.retries = (target.retries ?? 0) + (entry.retries ?? 0);
    for (const [reason, count] of Object.entries(entry.retryGiveUps ?? {})) addRetryGiveUps(target, reason, count);
  }
  for (const [name, entry] of Object.entries(batch.jobs ?? {})) {
    const target = jobEntry(into, name);
    target.succeeded += entry.succeeded;
    target.failed += entry.failed;
    target.dead += entry.dead;
    target.duplicates += entry.duplicates;
    merge(target.duration, entry.duration);
  }
  into.slowQueries.count += batch.slowQueries.count;
  into.slowQueries.latest = [...batch.slowQueries.latest, ...into.slowQueries.latest]
    .toSorted((a, b) => b.at.localeCompare(a.at))
    .slice(0, MAX_SLOW_QUERIES);
}
