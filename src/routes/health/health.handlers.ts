import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env";
import { readConfig } from "../../config/config";
import { createDatabase } from "../../data/database";
import { createRedis } from "../../data/redis";
import { Problem } from "../../errors/problem";
import type { health } from "./health.routes";

interface Check {
  status: "up" | "down";
  latencyMs: number;
  error?: string;
}

/**
 * Probes the database and Redis in parallel, each under its own short deadline (a child of
 * the request's signal), so a hung dependency makes the answer 503, never a hung request.
 */
export const check: RouteHandler<typeof health, AppEnv> = async (c) => {
  const signal = AbortSignal.any([c.var.signal, AbortSignal.timeout(readConfig(c.env).HEALTH_CHECK_TIMEOUT_MS)]);
  const [database, redis] = await Promise.all([
    probe(signal, async () => {
      await createDatabase(c.env, signal)`SELECT 1`;
    }),
    probe(signal, async () => {
      await createRedis(c.env, signal).ping();
    }),
  ]);
  const checks = { database, redis };
  if (database.status === "down" || redis.status === "down") {
    const down = Object.entries(checks).filter(([, check]) => check.status === "down").map(([name]) => name);
    throw new Problem(
      {
        type: "urn:edgekit:problem:dependency-down",
        title: "Service Unavailable",
        status: 503,
        detail: `Down: ${down.join(", ")}.`,
        checks,
      },
      { headers: { "Retry-After": "5", "Cache-Control": "no-store" } },
    );
  }
  c.header("Cache-Control", "no-store");
  return c.json({ status: "ok" as const, checks }, 200);
};

async function probe(signal: AbortSignal, run: () => Promise<void>): Promise<Check> {
  const started = performance.now();
  try {
    await run();
    return { status: "up", latencyMs: elapsed(started) };
  } catch (error) {
    // A client-safe reason: whether the deadline fired, else the error's class, nothing more.
    const reason = signal.aborted ? "timed out" : error instanceof Error ? error.name : "unknown error";
    return { status: "down", latencyMs: elapsed(started), error: reason };
  }
}

const elapsed = (since: number) => Math.round(performance.now() - since);
