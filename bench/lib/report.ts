export interface ScenarioResult {
  name: string;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  baselineRps: number;
  baselineP99: number;
  /** Throughput against the baseline measured alternately with it (1 = as fast). */
  throughputRatio: number;
  /** p99 latency against the baseline's (1 = as fast). */
  p99Ratio: number;
  /** Requests to the local stack's servers per request (Neon, Upstash, upstream). */
  subrequests: { neon: number; redis: number; upstream: number; total: number };
  /** Durable Object calls per request made by the breaker client. */
  breakerObjectCalls: number;
  /** The same work written without the template, measured in the same rounds (A B C). */
  naive?: { name: string; rps: number; p99: number; throughputRatio: number; p99Ratio: number };
}

export interface BenchReport {
  startedAt: string;
  durationSeconds: number;
  machine: { cpus: number; node: string; backends: { database: string; redis: string } };
  settings: { connections: number; rounds: number; secondsPerRound: number };
  scenarios: ScenarioResult[];
  queue: {
    jobs: number;
    jobsPerSecond: number;
    batchSize: number;
    naiveJobsPerSecond: number;
    /** Where the consumer's time went: its batches, their mean wall time and database requests. */
    consumer: {
      batches: number;
      meanBatchSize: number;
      meanBatchMs: number;
      busyShare: number;
      databaseRequestsPerBatch: number;
      /** The database server's time on the batch's requests, arrival to answer (its queueing on a busy machine included). */
      databaseMsPerBatch: number;
    };
  };
  importRows: { rows: number; rowsPerSecond: number };
  fanOut: { subscribers: number; events: number; deliveriesPerSecond: number; naiveDeliveriesPerSecond: number };
  bundle: { gzipKiB: number; rawKiB: number; startupMs: number | null; bareStartupMs: number | null };
}

const fixed = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "—");

/** The scenarios as a Markdown table, then the other measurements. */
export function markdown(report: BenchReport): string {
  const rows = report.scenarios.map(
    (s) =>
      `| ${s.name} | ${fixed(s.rps, 0)} | ${fixed(s.p50, 1)} | ${fixed(s.p99, 1)} | ${String(s.errors)} | ${s.naive ? `**${fixed(s.naive.throughputRatio)}×**` : "—"} | ${s.naive ? `${fixed(s.naive.p99Ratio)}×` : "—"} | ${fixed(s.throughputRatio)}× | ${fixed(s.p99Ratio)}× | ${fixed(s.subrequests.total)} (${fixed(s.subrequests.neon)} db, ${fixed(s.subrequests.redis)} redis, ${fixed(s.subrequests.upstream)} upstream) | ${fixed(s.breakerObjectCalls, 4)} |`,
  );
  const ratio = (a: number, b: number | null) => (b === null || b <= 0 ? "—" : `${fixed(a / b)}×`);
  return [
    `# edgekit benchmark, ${report.startedAt}`,
    "",
    `${String(report.machine.cpus)} CPUs, Node ${report.machine.node}, database: ${report.machine.backends.database}, redis: ${report.machine.backends.redis}; ${String(report.settings.connections)} connections, ${String(report.settings.rounds)} rounds of ${String(report.settings.secondsPerRound)} s per side; baseline, scenario and its naive twin alternating.`,
    "",
    "| scenario | req/s | p50 ms | p99 ms | errors | throughput vs naive | p99 vs naive | throughput vs bare Hono | p99 vs bare Hono | subrequests / req | breaker DO calls / req |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |",
    ...rows,
    "",
    observabilityLine(report),
    `- queue consumer: ${fixed(report.queue.jobsPerSecond, 0)} jobs/s (${String(report.queue.jobs)} trivial jobs, batch size ${String(report.queue.batchSize)}); an acknowledge-only consumer: ${fixed(report.queue.naiveJobsPerSecond, 0)} messages/s; ratio ${ratio(report.queue.jobsPerSecond, report.queue.naiveJobsPerSecond)}; the consumer ran ${String(report.queue.consumer.batches)} batches of ${fixed(report.queue.consumer.meanBatchSize, 0)}, ${fixed(report.queue.consumer.meanBatchMs, 1)} ms and ${fixed(report.queue.consumer.databaseRequestsPerBatch, 1)} database requests each (${fixed(report.queue.consumer.databaseMsPerBatch, 1)} ms of them in the database server), busy ${fixed(100 * report.queue.consumer.busyShare, 0)}% of the time`,
    `- import: ${fixed(report.importRows.rowsPerSecond, 0)} rows/s (${String(report.importRows.rows)} NDJSON rows, upload included)`,
    `- event hub fan-out: ${fixed(report.fanOut.deliveriesPerSecond, 0)} deliveries/s (${String(report.fanOut.subscribers)} WebSocket subscribers, ${String(report.fanOut.events)} events); a naive broadcast: ${fixed(report.fanOut.naiveDeliveriesPerSecond, 0)}/s; ratio ${ratio(report.fanOut.deliveriesPerSecond, report.fanOut.naiveDeliveriesPerSecond)}`,
    `- bundle: ${fixed(report.bundle.gzipKiB, 1)} KiB gzip (${fixed(report.bundle.rawKiB, 1)} KiB minified); startup: ${report.bundle.startupMs === null ? "not measured" : `${fixed(report.bundle.startupMs, 1)} ms`}, a bare Hono Worker's ${report.bundle.bareStartupMs === null ? "not measured" : `${fixed(report.bundle.bareStartupMs, 1)} ms`} (${report.bundle.startupMs === null ? "—" : ratio(report.bundle.startupMs, report.bundle.bareStartupMs)})`,
    `- whole run: ${fixed(report.durationSeconds, 0)} s`,
    "",
  ].join("\n");
}

/** Logs + metrics + Server-Timing on a cache hit: its throughput with them on, over with them off. */
function observabilityLine(report: BenchReport): string {
  const on = report.scenarios.find((s) => s.name === "GET /products/{id} (cache hit)");
  const off = report.scenarios.find((s) => s.name === "GET /products/{id} (cache hit, observability off)");
  if (!on || !off) return "- observability overhead: not measured";
  return `- observability on a cache hit: ${fixed(on.throughputRatio / off.throughputRatio)}× the throughput and ${fixed(on.p99 / Math.max(0.001, off.p99))}× the p99 of the same route with OBSERVABILITY off (each against its own baseline)`;
}

/** A horizontal bar chart of each scenario's throughput against its naive twin, with 1.0 (the target) marked. */
export function svgChart(report: BenchReport): string {
  const paired = report.scenarios.flatMap((s) => (s.naive ? [{ name: s.name, ratio: s.naive.throughputRatio }] : []));
  const barHeight = 26;
  // Room for the longest label (about 7 px a character at 13 px).
  const left = Math.max(200, 20 + 7 * Math.max(...paired.map((s) => s.name.length)));
  const width = left + 500;
  const scale = (width - left - 60) / Math.max(1.2, ...paired.map((s) => s.ratio));
  const height = 50 + paired.length * barHeight;
  const x = (ratio: number) => left + ratio * scale;
  const escape = (text: string) => text.replaceAll("&", "&amp;").replaceAll("<", "&lt;");
  const bars = paired.map((s, i) => {
    const y = 30 + i * barHeight;
    return [
      `<text x="${String(left - 8)}" y="${String(y + 17)}" text-anchor="end" font-size="13">${escape(s.name)}</text>`,
      `<rect x="${String(left)}" y="${String(y + 4)}" width="${fixed(Math.max(1, s.ratio * scale), 1)}" height="${String(barHeight - 8)}" fill="${s.ratio >= 1 ? "#2f855a" : "#c05621"}"/>`,
      `<text x="${fixed(x(s.ratio) + 6, 1)}" y="${String(y + 17)}" font-size="12">${fixed(s.ratio)}×</text>`,
    ].join("");
  });
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(height)}" font-family="sans-serif">`,
    `<text x="10" y="18" font-size="14" font-weight="bold">Throughput vs the naive route doing the same work (same Worker, same run)</text>`,
    ...bars,
    `<line x1="${fixed(x(1), 1)}" y1="24" x2="${fixed(x(1), 1)}" y2="${String(height - 4)}" stroke="#333" stroke-dasharray="4 3"/>`,
    "</svg>",
    "",
  ].join("\n");
}
