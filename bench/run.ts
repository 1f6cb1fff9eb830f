/**
 * `npm run bench`: the stack against a bare Hono route in the same Worker, side by side.
 *
 * Starts the local stack (in-memory PGlite and the embedded Redis, or DATABASE_URL /
 * REDIS_URL), runs bench/worker.ts under workerd with `wrangler dev`, and drives it from
 * this process with autocannon at fixed concurrency. Each scenario alternates with the
 * baseline (A B A B), so machine drift cancels, and is reported as a ratio to it. Then the
 * queue consumer, an import, the event hub's fan-out and the bundle. Results: a table on
 * stdout, and bench/out/results.{json,md,svg}. Numbers are reported, never asserted: the
 * bench does not fail on a slow machine. BENCH_QUICK=1 runs a short smoke of everything.
 */
import { gzipSync } from "node:zlib";
import { execFileSync } from "node:child_process";
import { readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { cpus } from "node:os";
import { createSql } from "../tools/stack/local-sql.ts";
import { createApiKey } from "../tools/db/api-keys.ts";
import { SCOPES } from "../src/auth/scopes.ts";
import { alternate, type Target } from "./lib/load.ts";
import { markdown, svgChart, type BenchReport, type ScenarioResult } from "./lib/report.ts";
import { FAN_OUT_TOPIC, OUT, startBench } from "./lib/setup.ts";
import { benchDataRemover } from "./lib/cleanup.ts";
import { stringify } from "smol-toml";

const quick = process.env.BENCH_QUICK === "1";
const SETTINGS = { connections: 10, rounds: quick ? 1 : 2, seconds: quick ? 1 : 4 };

const started = Date.now();
const bench = await startBench();
const { stack, worker } = bench;
console.log(`stack: ${stack.engines.database} + ${stack.engines.redis}; worker: ${worker.url}\n`);

const sql = createSql(stack.env.DATABASE_URL, stack.env.NEON_HTTP_ENDPOINT);
const removeBenchData = await benchDataRemover(sql);
// An API key with every scope for the keyed scenarios, and one for the 429 scenario alone
// (a denial is remembered per identity, so it must not be anybody else's).
const admin = { Authorization: `Bearer ${(await createApiKey(sql, { name: "bench", scopes: SCOPES })).key}` };
const limitedClient = { Authorization: `Bearer ${(await createApiKey(sql, { name: "bench: limited", scopes: ["admin"] })).key}` };
const json = { "Content-Type": "application/json" };
let counter = 0;
let enqueueStartedAt = new Date();
const unique = () => `${String(process.pid)}-${String(++counter)}-${String(Math.random()).slice(2, 8)}`;

try {
  // Data: one product to hit in the cache, and many never read, for misses.
  const [hot] = await sql`INSERT INTO products (name, price_cents, stock) VALUES (${`bench hot ${unique()}`}, 100, 1) RETURNING id`;
  const cold = (await sql`INSERT INTO products (name, price_cents, stock)
    SELECT 'bench cold ' || g || ' ' || ${unique()}, 100, 1 FROM generate_series(1, 60000) AS g RETURNING id`).map((row) => String(row.id));
  let nextCold = 0;
  const jobIds = (await sql`INSERT INTO jobs (id, name, status, payload, max_attempts)
    SELECT gen_random_uuid(), 'recompute-product-stats', 'succeeded', '{}', 1 FROM generate_series(1, 10) RETURNING id`).map((row) => String(row.id));

  const baseline: Target = { request: () => ({ method: "GET", path: "/__bench/baseline" }), expect: [200] };
  const naiveHit: Target = { request: () => ({ method: "GET", path: `/__bench/naive/products/${String(hot?.id)}` }), expect: [200] };
  const naivePage: Target = { request: () => ({ method: "GET", path: "/__bench/naive/products" }), expect: [200] };
  const naiveEnqueue: Target = { request: () => ({ method: "POST", path: "/__bench/naive/jobs" }), expect: [202] };
  const scenarios: { name: string; target: Target; naive?: { name: string; target: Target }; before?: () => Promise<void>; after?: () => Promise<void> }[] = [
    { name: "GET /health", target: { request: () => ({ method: "GET", path: "/health" }), expect: [200] } },
    {
      name: "GET /products/{id} (cache hit)",
      target: { request: () => ({ method: "GET", path: `/products/${String(hot?.id)}` }), expect: [200] },
      naive: { name: "rate-limit check, then redis.get", target: naiveHit },
    },
    {
      name: "GET /products/{id} (cache hit, API key)",
      target: { request: () => ({ method: "GET", path: `/products/${String(hot?.id)}`, headers: admin }), expect: [200] },
      naive: { name: "rate-limit check, then redis.get", target: naiveHit },
    },
    {
      name: "GET /products/{id} (cache hit, observability off)",
      target: { request: () => ({ method: "GET", path: `/__bench/quiet/products/${String(hot?.id)}` }), expect: [200] },
      naive: { name: "rate-limit check, then redis.get", target: naiveHit },
    },
    { name: "GET /products/{id} (cache miss)", target: { request: () => ({ method: "GET", path: `/products/${cold[nextCold++ % cold.length] ?? ""}` }), expect: [200] } },
    {
      name: "GET /products (a page)",
      target: { request: () => ({ method: "GET", path: "/products?limit=20" }), expect: [200] },
      naive: { name: "one neon() select of the page", target: naivePage },
    },
    {
      name: "POST /products (Idempotency-Key)",
      target: {
        request: () => {
          const id = unique();
          return { method: "POST", path: "/products", headers: { ...json, ...admin, "Idempotency-Key": id }, body: JSON.stringify({ name: `bench new ${id}`, price_cents: 1, stock: 1 }) };
        },
        expect: [201],
      },
    },
    {
      name: "POST /jobs (enqueue)",
      target: {
        request: () => ({ method: "POST", path: "/jobs", headers: { ...json, ...admin }, body: JSON.stringify({ name: "recompute-product-stats", payload: {}, delaySeconds: 43_200 }) }),
        expect: [202],
      },
      naive: { name: "env.JOBS.send of the same envelope", target: naiveEnqueue },
      before: async () => {
        enqueueStartedAt = ((await sql`SELECT now() AS now`) as { now: Date }[])[0]?.now ?? new Date();
      },
      // Its jobs wait 12 h in the jobs table (their messages die with the bench's queue):
      // dropped afterwards, so no database the bench ran on keeps hundreds of jobs that a
      // later sweep would send and run.
      after: async () => {
        await sql`DELETE FROM jobs WHERE name = 'recompute-product-stats' AND status = 'queued' AND created_at >= ${enqueueStartedAt} AND run_after > now() + interval '11 hours'`;
      },
    },
    {
      name: "breaker OPEN (fail fast, 503)",
      target: { request: () => ({ method: "GET", path: `/jobs/${jobIds[counter++ % jobIds.length] ?? ""}`, headers: admin }), expect: [503] },
      before: () => adminCall("/admin/breakers/neon/open"),
      after: () => adminCall("/admin/breakers/neon/reset"),
    },
    { name: "rate-limited (429)", target: { request: () => ({ method: "GET", path: "/__bench/limited/metrics", headers: limitedClient }), expect: [429] } },
  ];

  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    await scenario.before?.();
    const paired = await alternate(worker.url, baseline, scenario.target, { ...SETTINGS, counts: counters }, scenario.naive?.target);
    await scenario.after?.();
    // Subrequests the stack saw while the scenario ran (its own windows only).
    const per = (n: number | undefined) => (n ?? 0) / Math.max(1, paired.scenarioRequestsSent);
    const neon = per(paired.scenarioCounts.neon);
    const redis = per(paired.scenarioCounts.redis);
    const upstream = per(paired.scenarioCounts.reviews);
    results.push({
      name: scenario.name,
      rps: paired.scenario.rps,
      p50: paired.scenario.p50,
      p99: paired.scenario.p99,
      errors: paired.scenario.errors,
      baselineRps: paired.baseline.rps,
      baselineP99: paired.baseline.p99,
      throughputRatio: paired.scenario.rps / paired.baseline.rps,
      p99Ratio: paired.scenario.p99 / Math.max(0.001, paired.baseline.p99),
      subrequests: { neon, redis, upstream, total: neon + redis + upstream },
      breakerObjectCalls: per(paired.scenarioCounts.breakerObjectCalls),
      ...(scenario.naive && paired.naive
        ? {
            naive: {
              name: scenario.naive.name,
              rps: paired.naive.rps,
              p99: paired.naive.p99,
              throughputRatio: paired.scenario.rps / paired.naive.rps,
              p99Ratio: paired.scenario.p99 / Math.max(0.001, paired.naive.p99),
            },
          }
        : {}),
    });
    const last = results.at(-1);
    if (last) {
      const vsNaive = last.naive ? `  vs naive ×${last.naive.throughputRatio.toFixed(2)} (p99 ×${last.naive.p99Ratio.toFixed(2)})` : "";
      console.log(`${last.name.padEnd(50)} ${last.rps.toFixed(0).padStart(6)} req/s  vs bare ×${last.throughputRatio.toFixed(2)}${vsNaive}  p99 ${last.p99.toFixed(1)} ms  ${last.subrequests.total.toFixed(2)} subreq`);
    }
  }

  const queue = await measureQueue(quick ? 1_000 : 5_000);
  const importRows = await measureImport(quick ? 2_000 : 20_000);
  const fanOut = await measureFanOut(100, quick ? 200 : 1_000);
  const bundle = measureBundle();

  const report: BenchReport = {
    startedAt: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: { cpus: cpus().length, node: process.version, backends: stack.engines },
    settings: { connections: SETTINGS.connections, rounds: SETTINGS.rounds, secondsPerRound: SETTINGS.seconds },
    scenarios: results,
    queue,
    importRows,
    fanOut,
    bundle,
  };
  writeFileSync(`${OUT}/results.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(`${OUT}/results.md`, markdown(report));
  writeFileSync(`${OUT}/results.svg`, svgChart(report));
  console.log(`\n${markdown(report)}`);
  console.log(`written: ${OUT}/results.json, ${OUT}/results.md, ${OUT}/results.svg`);
} finally {
  await removeBenchData();
  await bench.close();
}

async function adminCall(path: string): Promise<void> {
  const response = await fetch(`${worker.url}${path}`, { method: "POST", headers: admin, signal: AbortSignal.timeout(10_000) });
  if (!response.ok) throw new Error(`${path}: ${String(response.status)}`);
}

/** Requests each local server has seen, and the breaker client's Durable Object calls. */
interface ConsumerCounters {
  batches: number;
  messages: number;
  ms: number;
}

async function counters(): Promise<{ neon: number; neonBusyMs: number; redis: number; reviews: number; breakerObjectCalls: number; naiveAcked: number }> {
  const { breakerObjectCalls, naiveAcked } = await workerCounters();
  const servers = (await (await fetch(stack.controlUrl, { signal: AbortSignal.timeout(5_000) })).json()) as Record<string, { stats: { requests: number; busyMs: number } }>;
  return {
    neon: servers.neon?.stats.requests ?? 0,
    neonBusyMs: servers.neon?.stats.busyMs ?? 0,
    redis: servers.redis?.stats.requests ?? 0,
    reviews: servers.reviews?.stats.requests ?? 0,
    breakerObjectCalls,
    naiveAcked,
  };
}

async function workerCounters(): Promise<{ breakerObjectCalls: number; naiveAcked: number; consumer: ConsumerCounters }> {
  return (await (await fetch(`${worker.url}/__bench/counters`, { signal: AbortSignal.timeout(5_000) })).json()) as {
    breakerObjectCalls: number;
    naiveAcked: number;
    consumer: ConsumerCounters;
  };
}

/**
 * Trivial jobs, queued in batches of 100, from the first send until the consumer has taken
 * them all (it counts a batch once its outcomes are written). It waits on the Worker's
 * counter, not on the database, so every database request in the figures is the Worker's.
 */
async function measureQueue(jobs: number): Promise<BenchReport["queue"]> {
  const before = await workerCounters();
  const neonBefore = await counters();
  const t0 = performance.now();
  const response = await fetch(`${worker.url}/__bench/jobs?n=${String(jobs)}`, { method: "POST", signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`queueing jobs: ${String(response.status)}`);
  // The rows were inserted in one statement before any message was sent; its time is not the consumer's.
  const { insertMs } = (await response.json()) as { insertMs: number };
  const until = Date.now() + 120_000;
  while ((await workerCounters()).consumer.messages - before.consumer.messages < jobs && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - t0) / 1000;
  const after = await workerCounters();
  const neonAfter = await counters();
  const [left] = await sql`SELECT count(*)::int AS n FROM jobs WHERE name = 'bench-noop' AND status <> 'succeeded'`;
  if (Number(left?.n) !== 0) console.log(`queue: ${String(left?.n)} jobs not succeeded after ${seconds.toFixed(1)} s`);
  const batches = Math.max(1, after.consumer.batches - before.consumer.batches);
  // The enqueue route's rows are one request; the rest are the consumer's.
  const consumerRequests = neonAfter.neon - neonBefore.neon - 1;
  const consumer = {
    batches,
    meanBatchSize: (after.consumer.messages - before.consumer.messages) / batches,
    meanBatchMs: (after.consumer.ms - before.consumer.ms) / batches,
    busyShare: (after.consumer.ms - before.consumer.ms) / 1000 / seconds,
    databaseRequestsPerBatch: consumerRequests / batches,
    databaseMsPerBatch: (neonAfter.neonBusyMs - neonBefore.neonBusyMs - insertMs) / batches,
  };
  console.log(`queue: ${String(jobs)} jobs in ${seconds.toFixed(2)} s; ${String(batches)} batches of ${consumer.meanBatchSize.toFixed(0)}, ${consumer.meanBatchMs.toFixed(1)} ms each, ${consumer.databaseMsPerBatch.toFixed(1)} of them in the database server`);
  await sql`DELETE FROM jobs WHERE name = 'bench-noop'`;
  return { jobs, jobsPerSecond: jobs / seconds, batchSize: 100, naiveJobsPerSecond: await measureAckOnlyConsumer(jobs), consumer };
}

/** The same number of messages through a consumer that only acknowledges them: the local ceiling. */
async function measureAckOnlyConsumer(messages: number): Promise<number> {
  const start = (await counters()).naiveAcked;
  const t0 = performance.now();
  const response = await fetch(`${worker.url}/__bench/naive/consumer?n=${String(messages)}`, { method: "POST", signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`sending messages: ${String(response.status)}`);
  const until = Date.now() + 120_000;
  while ((await counters()).naiveAcked - start < messages && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
  const seconds = (performance.now() - t0) / 1000;
  console.log(`queue, acknowledge-only: ${String(messages)} messages in ${seconds.toFixed(2)} s`);
  return messages / seconds;
}

/** POST /imports with an NDJSON file, until its job succeeds. */
async function measureImport(rows: number): Promise<BenchReport["importRows"]> {
  const run = unique();
  const body = Array.from({ length: rows }, (_, i) => JSON.stringify({ name: `bench import ${run} ${String(i)}`, price_cents: i, stock: 1 })).join("\n");
  const t0 = performance.now();
  const response = await fetch(`${worker.url}/imports`, {
    method: "POST",
    headers: { ...admin, "Content-Type": "application/x-ndjson" },
    body,
    signal: AbortSignal.timeout(60_000),
  });
  const job = (await response.json()) as { id: string };
  const until = Date.now() + 120_000;
  for (;;) {
    const [row] = await sql`SELECT status FROM jobs WHERE id = ${job.id}`;
    if (row?.status === "succeeded" || row?.status === "dead" || Date.now() > until) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const seconds = (performance.now() - t0) / 1000;
  console.log(`import: ${String(rows)} rows in ${seconds.toFixed(2)} s`);
  return { rows, rowsPerSecond: rows / seconds };
}

/** `subscribers` WebSockets on one topic (acknowledging every 100 events); `events` published inside the Worker. */
async function measureFanOut(subscribers: number, events: number): Promise<BenchReport["fanOut"]> {
  const hub = await fanOut(subscribers, events, `/events/${FAN_OUT_TOPIC}`, `/__bench/publish?topic=${FAN_OUT_TOPIC}&n=${String(events)}`);
  const naive = await fanOut(subscribers, events, "/__bench/naive/events/bench", `/__bench/naive/publish?topic=bench&n=${String(events)}`);
  console.log(`fan-out: ${hub.toFixed(0)} deliveries/s; a naive broadcast: ${naive.toFixed(0)}/s`);
  return { subscribers, events, deliveriesPerSecond: hub, naiveDeliveriesPerSecond: naive };
}

/** `subscribers` WebSockets on `subscribePath`; `events` published with one POST to `publishPath`; deliveries per second. */
async function fanOut(subscribers: number, events: number, subscribePath: string, publishPath: string): Promise<number> {
  const received = new Array<number>(subscribers).fill(0);
  const sockets = await Promise.all(
    Array.from(
      { length: subscribers },
      (_, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          const socket = new WebSocket(`${worker.url.replace("http", "ws")}${subscribePath}`);
          socket.addEventListener("message", (message) => {
            const text = String(message.data);
            if (text.startsWith('{"control":"ready"')) return resolve(socket);
            if (text.startsWith('{"id":')) {
              received[i] = (received[i] ?? 0) + 1;
              const id = Number(/^\{"id":(\d+)/.exec(text)?.[1]);
              if (id % 100 === 0) socket.send(JSON.stringify({ type: "ack", id }));
            }
          });
          socket.addEventListener("error", () => reject(new Error("subscriber failed")));
        }),
    ),
  );
  const t0 = performance.now();
  await fetch(`${worker.url}${publishPath}`, { method: "POST", signal: AbortSignal.timeout(120_000) });
  const until = Date.now() + 120_000;
  while (received.some((n) => n < events) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20));
  const seconds = (performance.now() - t0) / 1000;
  const delivered = received.reduce((a, b) => a + b, 0);
  for (const socket of sockets) socket.close();
  return delivered / seconds;
}

/** The production bundle (src/index.ts, minified) as `wrangler deploy --dry-run` builds it. */
function measureBundle(): BenchReport["bundle"] {
  execFileSync("wrangler", ["deploy", "--dry-run", "--outdir", `${OUT}/dist`], { stdio: "ignore", env: { ...process.env, WRANGLER_SEND_METRICS: "false" } });
  const code = readFileSync(`${OUT}/dist/index.js`);
  return { gzipKiB: gzipSync(code).length / 1024, rawKiB: code.length / 1024, startupMs: startupTime(), bareStartupMs: startupTime(bareConfig()) };
}

/** A bare Hono Worker's configuration, for the startup yardstick. */
function bareConfig(): string {
  const path = `${OUT}/wrangler.bare.toml`;
  writeFileSync(path, stringify({ name: "bench-bare", main: "../bare-worker.ts", compatibility_date: "2026-11-01", minify: true }));
  return path;
}

/** `wrangler check startup` profiles a Worker's startup locally (ours, or the one `config` names), where it can run offline. */
function startupTime(config?: string): number | null {
  rmSync(`${OUT}/startup.cpuprofile`, { force: true });
  try {
    const output = execFileSync("wrangler", ["check", "startup", "--outfile", `${OUT}/startup.cpuprofile`, ...(config ? ["--config", config] : [])], {
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
    });
    const ms = /(\d+(?:\.\d+)?)\s*ms/.exec(output)?.[1];
    return ms === undefined ? startupFromProfile() : Number(ms);
  } catch {
    return startupFromProfile();
  }
}

/** Total sampled time in the startup CPU profile, when one was written. */
function startupFromProfile(): number | null {
  const path = `${OUT}/startup.cpuprofile`;
  if (!existsSync(path)) return null;
  const profile = JSON.parse(readFileSync(path, "utf8")) as { startTime: number; endTime: number };
  return (profile.endTime - profile.startTime) / 1000;
}
