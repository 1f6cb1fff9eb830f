import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { metrics, metricsObject } from "../../observability/metrics-buffer";
import { renderPrometheus, summarize } from "../../observability/prometheus";
import { raceAbort } from "../../resilience";
import type { getMetrics, listSlowQueries } from "./metrics.routes";

/** The totals, this isolate's latest counts included (it flushes first). */
async function totals(c: Parameters<RouteHandler<typeof getMetrics, AppEnv>>[0]) {
  await raceAbort(metrics.flush(c.env), c.get("signal"));
  return raceAbort(metricsObject(c.env).snapshot(), c.get("signal"));
}

export const show: RouteHandler<typeof getMetrics, AppEnv> = async (c) => {
  const { recent, ...aggregate } = await totals(c);
  c.header("Cache-Control", "no-store");
  if (c.req.valid("query").format === "json") return c.json(summarize(aggregate, recent, Date.now()), 200);
  return c.text(renderPrometheus(aggregate), 200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
};

export const slowQueries: RouteHandler<typeof listSlowQueries, AppEnv> = async (c) => {
  const aggregate = await totals(c);
  return c.json(aggregate.slowQueries, 200);
};
