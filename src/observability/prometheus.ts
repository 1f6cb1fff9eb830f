import { LATENCY_BUCKETS_MS, quantile, type Histogram } from "./histogram";
import type { MetricsAggregate } from "./aggregate";
import { jobSeries, jobsPerMinute, type MinuteCounts } from "./recent";
import { metricName } from "../config/service";

const escape = (value: string) => value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
const labels = (pairs: Record<string, string>) =>
  `{${Object.entries(pairs)
    .map(([key, value]) => `${key}="${escape(value)}"`)
    .join(",")}}`;

function histogramLines(name: string, pairs: Record<string, string>, histogram: Histogram): string[] {
  const lines: string[] = [];
  let cumulative = 0;
  LATENCY_BUCKETS_MS.forEach((bound, i) => {
    cumulative += histogram.buckets[i] ?? 0;
    lines.push(`${name}_bucket${labels({ ...pairs, le: String(bound) })} ${String(cumulative)}`);
  });
  lines.push(`${name}_bucket${labels({ ...pairs, le: "+Inf" })} ${String(histogram.count)}`);
  lines.push(`${name}_sum${labels(pairs)} ${String(histogram.sum)}`);
  lines.push(`${name}_count${labels(pairs)} ${String(histogram.count)}`);
  return lines;
}

/** One metric family: its HELP and TYPE lines, then its samples (named under the service). */
function family(name: string, type: "counter" | "histogram", help: string, samples: (full: string) => string[]): string[] {
  const full = metricName(name);
  return [`# HELP ${full} ${help}`, `# TYPE ${full} ${type}`, ...samples(full)];
}

/** The totals in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(aggregate: MetricsAggregate): string {
  const routes = Object.values(aggregate.routes);
  const dependencies = Object.entries(aggregate.dependencies);
  const jobs = Object.entries(aggregate.jobs ?? {});
  const lines = [
    ...family("http_requests_total", "counter", "Requests answered, by route pattern.", (name) =>
      routes.map((r) => `${name}${labels({ method: r.method, route: r.route })} ${String(r.count)}`),
    ),
    ...family("http_errors_total", "counter", "Requests answered with a 5xx (class=server) or a 4xx (class=client).", (name) =>
      routes.flatMap((r) => [
        `${name}${labels({ method: r.method, route: r.route, class: "server" })} ${String(r.errors)}`,
        `${name}${labels({ method: r.method, route: r.route, class: "client" })} ${String(r.clientErrors)}`,
      ]),
    ),
    ...family("http_request_duration_ms", "histogram", "Time to answer, by route pattern.", (name) =>
      routes.flatMap((r) => histogramLines(name, { method: r.method, route: r.route }, r.latency)),
    ),
    ...family("dependency_calls_total", "counter", "Calls (attempts) to each dependency.", (name) =>
      dependencies.map(([dependency, d]) => `${name}${labels({ dependency })} ${String(d.calls)}`),
    ),
    ...family("dependency_errors_total", "counter", "Failed calls, timeouts included.", (name) =>
      dependencies.map(([dependency, d]) => `${name}${labels({ dependency })} ${String(d.errors)}`),
    ),
    ...family("dependency_timeouts_total", "counter", "Calls that ran out of time.", (name) =>
      dependencies.map(([dependency, d]) => `${name}${labels({ dependency })} ${String(d.timeouts)}`),
    ),
    ...family("dependency_retries_total", "counter", "Retries made: attempts after a call's first.", (name) =>
      dependencies.map(([dependency, d]) => `${name}${labels({ dependency })} ${String(d.retries ?? 0)}`),
    ),
    ...family(
      "dependency_retry_give_ups_total",
      "counter",
      "Calls failed on an error worth retrying with no retry left, by reason: max-attempts, deadline, budget (the retry budget was exhausted), retry-after-too-long.",
      (name) =>
        dependencies.flatMap(([dependency, d]) =>
          Object.entries(d.retryGiveUps ?? {}).map(([reason, count]) => `${name}${labels({ dependency, reason })} ${String(count)}`),
        ),
    ),
    ...family("dependency_duration_ms", "histogram", "Time per call, by dependency.", (name) =>
      dependencies.flatMap(([dependency, d]) => histogramLines(name, { dependency }, d.latency)),
    ),
    ...family("slow_queries_total", "counter", "Queries slower than SLOW_QUERY_MS.", (name) => [`${name} ${String(aggregate.slowQueries.count)}`]),
    ...family(
      "job_runs_total",
      "counter",
      "Jobs by outcome: succeeded and failed (attempts left, it runs again) count runs; dead counts jobs the dead-letter consumer marked dead.",
      (name) =>
        jobs.flatMap(([job, j]) =>
          (["succeeded", "failed", "dead"] as const).map((outcome) => `${name}${labels({ job, outcome })} ${String(j[outcome])}`),
        ),
    ),
    ...family("job_duplicates_total", "counter", "Deliveries of a job acknowledged without running it (a repeat of a finished job).", (name) =>
      jobs.map(([job, j]) => `${name}${labels({ job })} ${String(j.duplicates)}`),
    ),
    ...family("job_duration_ms", "histogram", "Time per job run, by job name.", (name) =>
      jobs.flatMap(([job, j]) => histogramLines(name, { job }, j.duration)),
    ),
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * The same totals as JSON, with p50/p95/p99 estimated from the buckets; per job, its
 * outcomes, throughput and last minutes from `recent` (the metrics object's per-minute ring).
 */
export function summarize(aggregate: MetricsAggregate, recent: readonly MinuteCounts[] = [], now = Date.now()) {
  const percentiles = (histogram: Histogram) => ({
    p50: quantile(histogram, 0.5) ?? null,
    p95: quantile(histogram, 0.95) ?? null,
    p99: quantile(histogram, 0.99) ?? null,
  });
  return {
    routes: Object.values(aggregate.routes).map(({ latency, ...r }) => ({ ...r, latencyMs: percentiles(latency) })),
    dependencies: Object.entries(aggregate.dependencies).map(([name, { latency, ...d }]) => ({ name, ...d, latencyMs: percentiles(latency) })),
    slowQueries: aggregate.slowQueries.count,
    jobs: Object.fromEntries(
      Object.entries(aggregate.jobs ?? {}).map(([name, { duration, ...j }]) => [
        name,
        { ...j, durationMs: percentiles(duration), perMinute: jobsPerMinute(recent, name, now), recent: jobSeries(recent, name, now) },
      ]),
    ),
  };
}
