import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { metrics, metricsObject } from "../../observability/metrics-buffer";
import { raceAbort } from "../../resilience";
import type { listAlerts } from "./alerts.routes";

/** Evaluated as it is read, this isolate's latest counts included (it flushes first, as GET /metrics does). */
export const list: RouteHandler<typeof listAlerts, AppEnv> = async (c) => {
  await raceAbort(metrics.flush(c.env), c.get("signal"));
  const report = await raceAbort(metricsObject(c.env).alerts(), c.get("signal"));
  c.header("Cache-Control", "no-store");
  return c.json(report, 200);
};
