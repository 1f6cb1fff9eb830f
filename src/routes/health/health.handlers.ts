import type { RouteHandler, z } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { readConfig } from "../../config/config";
import { DEPENDENCY_NAMES } from "../../config/dependencies";
import { createDatabase } from "../../data/database";
import { countActiveJobs } from "../../data/job-counts";
import { createRedis } from "../../data/redis";
import { Problem } from "../../errors/problem";
import { raceAbort } from "../../resilience";
import type { JobCountsSchema, liveness, readiness } from "./health.routes";
import { problemType } from "../../config/service";

interface Check {
  status: "up" | "down";
  latencyMs: number;
  error?: string;
}

/** Liveness costs nothing: an orchestrator or uptime check may call it as often as it likes. */
export const live: RouteHandler<typeof liveness, AppEnv> = (c) => {
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const }, 200);
};

/**
 * The last readiness verdict of this isolate, reused for READINESS_CACHE_MS; by bindings
 * object, which is one per isolate (so a caller with other bindings never shares it).
 */
const verdicts = new WeakMap<object, { at: number; checks: Checks; jobs: JobCounts; down: string[] }>();

type Checks = { database: Check; redis: Check; queue: Check; breakers: Record<string, BreakerState> };
type JobCounts = z.infer<typeof JobCountsSchema>;

/**
 * Probes the database, Redis and the breakers in parallel, each under its own short
 * deadline (a child of the request's signal), so a hung dependency makes the answer 503,
 * never a hung request. The queue binding is checked for presence: a probe message would
 * be a job. An open circuit counts as down: requests would be refused.
 *
 * Each isolate reuses its last verdict for `READINESS_CACHE_MS` (5 s; `Age` says how old):
 * the route is public, and must not let anyone fan out to every dependency per request.
 *
 * It also reports how many jobs are running and queued (one query, beside the probes and
 * under the same deadline, reused with the verdict). That count is information, not a
 * check: when the database cannot answer it is `unavailable`, and readiness is decided by
 * the database probe alone.
 */
export const ready: RouteHandler<typeof readiness, AppEnv> = async (c) => {
  const config = readConfig(c.env);
  const now = Date.now();
  let verdict = verdicts.get(c.env);
  if (!verdict || now - verdict.at >= config.READINESS_CACHE_MS) {
    verdict = { at: now, ...(await probeAll(c.env, AbortSignal.any([c.get("signal"), AbortSignal.timeout(config.HEALTH_CHECK_TIMEOUT_MS)]))) };
    verdicts.set(c.env, verdict);
  }
  const { checks, jobs, down, at } = verdict;
  const age = String(Math.floor((Date.now() - at) / 1000));
  if (down.length > 0) {
    throw new Problem(
      { type: problemType("dependency-down"), title: "Service Unavailable", status: 503, detail: `Down: ${down.join(", ")}.`, checks, jobs },
      { headers: { "Retry-After": "5", "Cache-Control": "no-store", Age: age } },
    );
  }
  c.header("Cache-Control", "no-store");
  c.header("Age", age);
  return c.json({ status: "ready" as const, checks, jobs }, 200);
};

async function probeAll(env: AppEnv["Bindings"], signal: AbortSignal): Promise<{ checks: Checks; jobs: JobCounts; down: string[] }> {
  const [database, redis, breakers, jobs] = await Promise.all([
    probe(signal, async () => {
      await createDatabase(env, signal)`SELECT 1`;
    }),
    probe(signal, async () => {
      await createRedis(env, signal).ping();
    }),
    breakerStates(env, signal),
    jobCounts(env, signal),
  ]);
  const queue: Check = typeof env.JOBS.send === "function" ? { status: "up", latencyMs: 0 } : { status: "down", latencyMs: 0, error: "no JOBS binding" };
  const down = [
    ...Object.entries({ database, redis, queue })
      .filter(([, check]) => check.status === "down")
      .map(([name]) => name),
    ...Object.entries(breakers)
      .filter(([, breaker]) => breaker.state === "OPEN" || breaker.state === "FORCED_OPEN" || breaker.state === "UNKNOWN")
      .map(([name, breaker]) => `${name} circuit (${breaker.state})`),
  ];
  return { checks: { database, redis, queue, breakers }, jobs, down };
}

async function jobCounts(env: AppEnv["Bindings"], signal: AbortSignal): Promise<JobCounts> {
  try {
    return { status: "ok", ...(await countActiveJobs(createDatabase(env, signal))) };
  } catch (error) {
    return { status: "unavailable", error: safeReason(signal, error) };
  }
}

interface BreakerState {
  state: string;
  retryAfterMs: number;
}

async function breakerStates(env: AppEnv["Bindings"], signal: AbortSignal): Promise<Record<string, BreakerState>> {
  const entries = await Promise.all(
    DEPENDENCY_NAMES.map(async (name) => {
      try {
        const status = await raceAbort(env.CIRCUIT_BREAKERS.get(env.CIRCUIT_BREAKERS.idFromName(name)).status(name), signal);
        const state: BreakerState = { state: status.view.state, retryAfterMs: status.view.retryAfterMs };
        return [name, state] as const;
      } catch {
        const state: BreakerState = { state: "UNKNOWN", retryAfterMs: 0 };
        return [name, state] as const;
      }
    }),
  );
  return Object.fromEntries(entries);
}

async function probe(signal: AbortSignal, run: () => Promise<void>): Promise<Check> {
  const started = performance.now();
  try {
    await run();
    return { status: "up", latencyMs: elapsed(started) };
  } catch (error) {
    return { status: "down", latencyMs: elapsed(started), error: safeReason(signal, error) };
  }
}

/** A client-safe reason: whether the deadline fired, else the error's class, nothing more. */
const safeReason = (signal: AbortSignal, error: unknown): string => (signal.aborted ? "timed out" : error instanceof Error ? error.name : "unknown error");

const elapsed = (since: number) => Math.round(performance.now() - since);
