import { LATENCY_BUCKETS_MS, quantile, type Histogram } from "./histogram";
import type { MetricsAggregate } from "./aggregate";

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

/** The totals in the Prometheus text exposition format (version 0.0.4). */
export function renderPrometheus(aggregate: MetricsAggregate): string {
  const routes = Object.values(aggregate.routes);
  const dependencies = Object.entries(aggregate.dependencies);
  const lines = [
    "# HELP edgekit_http_requests_total Requests answered, by route pattern.",
    "# TYPE edgekit_http_requests_total counter",
    ...routes.map((r) => `edgekit_http_requests_total${labels({ method: r.method, route: r.route })} ${String(r.count)}`),
    "# HELP edgekit_http_errors_total Requests answered with a 5xx (class=server) or a 4xx (class=client).",
    "# TYPE edgekit_http_errors_total counter",
    ...routes.flatMap((r) => [
      `edgekit_http_errors_total${labels({ method: r.method, route: r.route, class: "server" })} ${String(r.errors)}`,
      `edgekit_http_errors_total${labels({ method: r.method, route: r.route, class: "client" })} ${String(r.clientErrors)}`,
    ]),
    "# HELP edgekit_http_request_duration_ms Time to answer, by route pattern.",
    "# TYPE edgekit_http_request_duration_ms histogram",
    ...routes.flatMap((r) => histogramLines("edgekit_http_request_duration_ms", { method: r.method, route: r.route }, r.latency)),
    "# HELP edgekit_dependency_calls_total Calls (attempts) to each dependency.",
    "# TYPE edgekit_dependency_calls_total counter",
    ...dependencies.map(([name, d]) => `edgekit_dependency_calls_total${labels({ dependency: name })} ${String(d.calls)}`),
    "# HELP edgekit_dependency_errors_total Failed calls, timeouts included.",
    "# TYPE edgekit_dependency_errors_total counter",
    ...dependencies.map(([name, d]) => `edgekit_dependency_errors_total${labels({ dependency: name })} ${String(d.errors)}`),
    "# HELP edgekit_dependency_timeouts_total Calls that ran out of time.",
    "# TYPE edgekit_dependency_timeouts_total counter",
    ...dependencies.map(([name, d]) => `edgekit_dependency_timeouts_total${labels({ dependency: name })} ${String(d.timeouts)}`),
    "# HELP edgekit_dependency_duration_ms Time per call, by dependency.",
    "# TYPE edgekit_dependency_duration_ms histogram",
    ...dependencies.flatMap(([name, d]) => histogramLines("edgekit_dependency_duration_ms", { dependency: name }, d.latency)),
    "# HELP edgekit_slow_queries_total Queries slower than SLOW_QUERY_MS.",
    "# TYPE edgekit_slow_queries_total counter",
    `edgekit_slow_queries_total ${String(aggregate.slowQueries.count)}`,
  ];
  return `${lines.join("\n")}\n`;
}

/** The same totals as JSON, with p50/p95/p99 estimated from the buckets. */
export function summarize(aggregate: MetricsAggregate) {
  const percentiles = (histogram: Histogram) => ({
    p50: quantile(histogram, 0.5) ?? null,
    p95: quantile(histogram, 0.95) ?? null,
    p99: quantile(histogram, 0.99) ?? null,
  });
  return {
    routes: Object.values(aggregate.routes).map(({ latency, ...r }) => ({ ...r, latencyMs: percentiles(latency) })),
    dependencies: Object.entries(aggregate.dependencies).map(([name, { latency, ...d }]) => ({ name, ...d, latencyMs: percentiles(latency) })),
    slowQueries: aggregate.slowQueries.count,
  };
}
