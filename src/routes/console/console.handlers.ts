import type { RouteHandler } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { AppEnv } from "../../app-env";
import { hasScope, type Principal } from "../../auth/principal";
import { SCOPES } from "../../auth/scopes";
import { DEPENDENCY_NAMES } from "../../config/dependencies";
import { cacheStats, STATS_KEY } from "../../data/cache-stats";
import { countUnfinishedJobs } from "../../data/job-status-counts";
import { JobRepository, type Job } from "../../data/jobs";
import { databaseCall, redisCall } from "../../dependencies/calls";
import { isDependencyUnavailableError } from "../../dependencies/errors";
import type { DependencyScope } from "../../dependencies/scope";
import { TopicSchema } from "../../events/event";
import { isDeclaredTopic, isPublicTopic, JOBS_TOPIC, PRODUCTS_TOPIC } from "../../events/topics";
import { isProblem, problems } from "../../errors/problem";
import { scopeOf } from "../../middleware/dependencies";
import { principalOf } from "../../middleware/identity";
import { LATENCY_BUCKETS_MS } from "../../observability/histogram";
import { describeError, log } from "../../observability/logger";
import { metrics, metricsObject } from "../../observability/metrics-buffer";
import { summarize } from "../../observability/prometheus";
import { readConfig } from "../../config/config";
import { isAttemptTimeoutError, isBrokenCircuitError, isBulkheadRejectedError, isDeadlineExceededError, mapConcurrent, raceAbort } from "../../resilience";
import { consolePageHtml, CONSOLE_CONTENT_SECURITY_POLICY } from "./console.page";
import { MAX_SNAPSHOT_TOPICS, type consolePage, type consoleSnapshot, type Snapshot } from "./console.routes";

/**
 * Each part of the snapshot has this long, within the route's read budget (3 s): a slow
 * dependency costs its own part, and the snapshot still answers with the others.
 */
const PART_TIMEOUT_MS = 2_000;
/** Dead and failed jobs listed, newest first. */
const JOBS_LISTED = 10;
/** Slow queries listed (the metrics object keeps 100). */
const SLOW_QUERIES_LISTED = 20;

type Part<T> = { ok: true; data: T } | { ok: false; status: number; error: string };

export const page: RouteHandler<typeof consolePage, AppEnv> = (c) => {
  c.header("Content-Security-Policy", CONSOLE_CONTENT_SECURITY_POLICY);
  return c.html(consolePageHtml());
};

export const snapshot: RouteHandler<typeof consoleSnapshot, AppEnv> = async (c) => {
  const topics = topicsToShow(c, c.req.valid("query").topics);
  const principal = await principalOf(c);
  const signal = AbortSignal.any([c.get("signal"), AbortSignal.timeout(PART_TIMEOUT_MS)]);
  const scope: DependencyScope = { ...scopeOf(c), signal };
  const part = <T>(name: string, work: () => Promise<T>) => gather(c, name, signal, work);

  const [breakers, observed, cache, jobs, topicParts] = await Promise.all([
    part("breakers", () => readBreakers(c)),
    part("metrics", () => readObservability(c, signal)),
    part("cache", () => readCache(scope)),
    hasScope(principal, "jobs:read") ? part("jobs", () => readJobs(scope)) : Promise.resolve(needsScope("jobs:read")),
    mapConcurrent(topics, 5, (topic) => readTopic(c, principal, topic, (name, work) => gather(c, name, signal, work)), signal),
  ]);

  const body: Snapshot = {
    at: new Date().toISOString(),
    caller: callerOf(principal),
    breakers,
    metrics: observed.ok ? { ok: true, data: observed.data.metrics } : observed,
    alerts: observed.ok ? { ok: true, data: observed.data.alerts } : observed,
    cache,
    jobs,
    topics: topicParts.map((result, i) =>
      result.ok ? result.value : { topic: topics[i] ?? "", stats: { ok: false, status: 504, error: "Timed out." } },
    ),
  };
  c.header("Cache-Control", "no-store");
  return c.json(body, 200);
};

/** The app's own topics, the public ones, then those asked for (valid names only, at most MAX_SNAPSHOT_TOPICS in all). */
function topicsToShow(c: Context<AppEnv>, asked: string | undefined): string[] {
  const requested = (asked ?? "")
    .split(",")
    .map((topic) => topic.trim())
    .filter((topic) => topic !== "");
  for (const topic of requested) {
    const parsed = TopicSchema.safeParse(topic);
    if (!parsed.success) throw problems.validation([{ in: "query", field: "topics", message: `"${topic.slice(0, 100)}": ${parsed.error.issues[0]?.message ?? "invalid topic"}` }]);
  }
  const topics = [...new Set([JOBS_TOPIC, PRODUCTS_TOPIC, ...readConfig(c.env).EVENT_PUBLIC_TOPICS, ...requested])];
  if (topics.length > MAX_SNAPSHOT_TOPICS) {
    throw problems.validation([{ in: "query", field: "topics", message: `at most ${String(MAX_SNAPSHOT_TOPICS)} topics in all, the app's own and public ones included` }]);
  }
  return topics;
}

function callerOf(principal: Principal): Snapshot["caller"] {
  if (principal.kind === "key") return { kind: "key", name: principal.key.name, prefix: principal.key.prefix, scopes: principal.key.scopes };
  // `authorize` let only a key or the break-glass token through to an admin route.
  return { kind: "admin-token", name: null, prefix: null, scopes: [...SCOPES] };
}

/** Runs one part under the snapshot's signal; its failure becomes the part's answer, never the snapshot's. */
async function gather<T>(c: Context<AppEnv>, name: string, signal: AbortSignal, work: () => Promise<T>): Promise<Part<T>> {
  try {
    return { ok: true, data: await raceAbort(work(), signal) };
  } catch (error) {
    return { ok: false, ...failureOf(c, name, error) };
  }
}

const needsScope = (scope: string): Part<never> => ({ ok: false, status: 403, error: `This needs an API key with the "${scope}" scope as well.` });

/** What a part's failure says: the same words the API's problems use, and never an internal message. */
function failureOf(c: Context<AppEnv>, name: string, error: unknown): { status: number; error: string } {
  if (isProblem(error)) return { status: error.details.status, error: error.details.detail ?? error.details.title };
  if (isBrokenCircuitError(error)) return { status: 503, error: `${error.dependency} is unavailable: its circuit is ${error.state}.` };
  if (isDependencyUnavailableError(error)) return { status: 503, error: `${error.dependency} is unavailable: it is failing.` };
  if (isBulkheadRejectedError(error)) return { status: 503, error: "Too many calls at once; retried at the next refresh." };
  if (isDeadlineExceededError(error) || isAttemptTimeoutError(error) || (error instanceof DOMException && error.name === "TimeoutError")) {
    return { status: 504, error: `No answer within ${String(PART_TIMEOUT_MS)} ms.` };
  }
  log("error", "console snapshot: a part failed", { requestId: c.get("requestId"), part: name, error: describeError(error) });
  return { status: 500, error: `Failed; the log line carries request id ${c.get("requestId")}.` };
}

/** Every breaker's state and counters, from its Durable Object (as GET /admin/breakers). */
async function readBreakers(c: Context<AppEnv>) {
  return Promise.all(
    DEPENDENCY_NAMES.map(async (name) => {
      const { view, counters } = await c.env.CIRCUIT_BREAKERS.get(c.env.CIRCUIT_BREAKERS.idFromName(name)).status(name);
      return { name, view, counters };
    }),
  );
}

/**
 * The metrics (as GET /metrics?format=json, plus the raw latency histograms), the slow
 * queries and the alerts: one flush of this isolate's counts, then two calls to the
 * metrics object, side by side.
 */
async function readObservability(c: Context<AppEnv>, signal: AbortSignal) {
  await raceAbort(metrics.flush(c.env), signal);
  const object = metricsObject(c.env);
  const [{ recent, ...aggregate }, alerts] = await Promise.all([object.snapshot(), object.alerts()]);
  const bucketsOf = (entries: [string, { latency: { buckets: number[] } }][]) => Object.fromEntries(entries.map(([key, entry]) => [key, entry.latency.buckets]));
  return {
    metrics: {
      summary: summarize(aggregate, recent, Date.now()),
      histograms: {
        boundsMs: [...LATENCY_BUCKETS_MS],
        routes: bucketsOf(Object.values(aggregate.routes).map((route) => [`${route.method} ${route.route}`, route])),
        dependencies: bucketsOf(Object.entries(aggregate.dependencies)),
      },
      slowQueries: { count: aggregate.slowQueries.count, latest: aggregate.slowQueries.latest.slice(0, SLOW_QUERIES_LISTED) },
    },
    alerts: { ...alerts },
  };
}

/** The cache's counters (as GET /cache/stats, without its SCAN of every entry: this is read every second). */
async function readCache(scope: DependencyScope) {
  await cacheStats.flush(scope);
  const counters = await redisCall(scope)((redis) => redis.hgetall<Record<string, number>>(STATS_KEY), { idempotent: true });
  return { hits: counters?.hits ?? 0, misses: counters?.misses ?? 0, bypasses: counters?.bypasses ?? 0, stale: counters?.stale ?? 0 };
}

const summaryOf = (job: Job) => ({
  id: job.id,
  name: job.name,
  status: job.status,
  attempts: job.attempts,
  max_attempts: job.max_attempts,
  last_error: job.last_error,
  updated_at: job.updated_at.toISOString(),
});

/** Jobs per name and status, and the latest dead and failed jobs (their payloads left out). */
async function readJobs(scope: DependencyScope) {
  const db = databaseCall(scope);
  const [counts, dead, failed] = await Promise.all([
    db((sql) => countUnfinishedJobs(sql), { idempotent: true }),
    db((sql) => new JobRepository(sql).list({ status: "dead", limit: JOBS_LISTED }), { idempotent: true }),
    db((sql) => new JobRepository(sql).list({ status: "failed", limit: JOBS_LISTED }), { idempotent: true }),
  ]);
  return { counts, dead: dead.items.map(summaryOf), failed: failed.items.map(summaryOf) };
}

/** A topic's counters from its hub, when the caller may see the topic (as GET /events/{topic}/stats). */
async function readTopic(
  c: Context<AppEnv>,
  principal: Principal,
  topic: string,
  part: <T>(name: string, work: () => Promise<T>) => Promise<Part<T>>,
): Promise<Snapshot["topics"][number]> {
  if (!isPublicTopic(c.env, topic) && !hasScope(principal, "events:subscribe")) return { topic, stats: needsScope("events:subscribe") };
  const stats = await part(`topic ${topic}`, async () => {
    const { exists, subscribers, published, historySize, lastEventId } = await c.env.EVENT_HUB.get(c.env.EVENT_HUB.idFromName(topic)).stats();
    if (!exists && !isDeclaredTopic(c.env, topic)) throw problems.notFound(`No topic "${topic}": nothing has been published to it.`);
    return { subscribers, published, historySize, lastEventId };
  });
  return { topic, stats };
}
