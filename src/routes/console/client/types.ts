/**
 * The shapes the console reads: `GET /console/snapshot` (its schema is ConsoleSnapshot in
 * /openapi.json, from console.routes.ts) and the events of a topic. Written out here because
 * the page is compiled on its own, without the Worker's code; test/worker/console.test.ts
 * checks a real snapshot against the route's schema.
 */

export type Part<T> = { ok: true; data: T } | { ok: false; status: number; error: string };

export type BreakerState = "CLOSED" | "OPEN" | "HALF_OPEN" | "FORCED_OPEN" | "FORCED_CLOSED";

export interface Breaker {
  name: string;
  view: { state: BreakerState; version: number; openUntil: number | null; retryAfterMs: number; at: number };
  counters: { successes: number; failures: number; rejections: number; releases: number; opens: number; lastTransitionAt: number | null };
}

export interface Percentiles {
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface RouteSummary {
  method: string;
  route: string;
  count: number;
  errors: number;
  clientErrors: number;
  latencyMs: Percentiles;
}

export interface DependencySummary {
  name: string;
  calls: number;
  errors: number;
  timeouts: number;
  latencyMs: Percentiles;
}

/** A job's statistics in the metrics, when the metrics count jobs. */
export interface JobStats {
  succeeded: number;
  failed: number;
  dead: number;
  durationMs?: Percentiles;
  perMinute?: number;
  recent?: { minute: string; succeeded: number; failed: number; dead: number }[];
}

export interface MetricsSummary {
  routes?: RouteSummary[];
  dependencies?: DependencySummary[];
  jobs?: Record<string, JobStats>;
}

export interface SlowQuery {
  statement: string;
  durationMs: number;
  at: string;
  requestId: string | null;
}

export interface AlertRule {
  id: string;
  description: string;
  firing: boolean;
  since?: string;
  value?: number;
}

export interface AlertEvent {
  id: string;
  state: string;
  at: string;
  message: string;
}

export interface Alerts {
  rules?: AlertRule[];
  history?: AlertEvent[];
}

export interface JobSummary {
  id: string;
  name: string;
  status: string;
  attempts: number;
  max_attempts: number;
  last_error: string | null;
  updated_at: string;
}

export interface TopicStats {
  subscribers: { websocket: number; sse: number };
  published: number;
  historySize: number;
  lastEventId: number;
}

export interface Snapshot {
  at: string;
  caller: { kind: "key" | "admin-token"; name: string | null; prefix: string | null; scopes: string[] };
  breakers: Part<Breaker[]>;
  metrics: Part<{
    summary: MetricsSummary;
    histograms: { boundsMs: number[]; routes: Record<string, number[]>; dependencies: Record<string, number[]> };
    slowQueries: { count: number; latest: SlowQuery[] };
  }>;
  alerts: Part<Alerts>;
  cache: Part<{ hits: number; misses: number; bypasses: number; stale: number }>;
  jobs: Part<{ counts: { name: string; status: string; count: number }[]; dead: JobSummary[]; failed: JobSummary[] }>;
  topics: { topic: string; stats: Part<TopicStats> }[];
}

/** An event as a topic's subscribers receive it. */
export interface TopicEvent {
  id: number;
  topic: string;
  type: string;
  time: string;
  data: unknown;
  source: string;
}
