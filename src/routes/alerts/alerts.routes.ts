import { createRoute, z } from "@hono/zod-openapi";
import { security as access } from "../../auth/access";
import { authErrors, json } from "../schemas";

const RuleSchema = z
  .object({
    id: z.string().openapi({ example: "breaker-open:neon" }),
    description: z.string(),
    firing: z.boolean(),
    /** While firing: when this episode began. */
    since: z.iso.datetime().optional(),
    /** What the rule last measured: a 5xx ratio (0–1), a count of dead jobs. */
    value: z.number().optional(),
  })
  .openapi("AlertRule");

const EventSchema = z
  .object({
    id: z.string(),
    state: z.enum(["firing", "resolved"]),
    at: z.iso.datetime(),
    /** When the episode began: a firing and its resolution share it. */
    since: z.iso.datetime(),
    value: z.number().optional(),
    message: z.string(),
  })
  .openapi("AlertEvent");

export const AlertsSchema = z
  .object({
    rules: z.array(RuleSchema),
    history: z.array(EventSchema).openapi({ description: "The latest changes of state, newest first (at most 50)." }),
    webhook: z.object({ configured: z.boolean(), pending: z.number().int() }).openapi({ description: "Whether ALERT_WEBHOOK_URL is set, and notifications waiting to be delivered." }),
  })
  .openapi("Alerts");

export const listAlerts = createRoute({
  method: "get",
  path: "/admin/alerts",
  tags: ["observability"],
  summary: "Alert rules, firing or not, and the latest firings and resolutions (admin)",
  security: access.requires("admin"),
  responses: { 200: json(AlertsSchema, "Every rule and the recent history"), ...authErrors },
});
