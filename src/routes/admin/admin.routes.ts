import { createRoute, z } from "@hono/zod-openapi";
import { security as access } from "../../auth/access";
import { DEPENDENCY_NAMES } from "../../config/dependencies";
import { authErrors, BreakerCountersSchema, BreakerViewSchema, json, problem } from "../schemas";

const BreakerSchema = z
  .object({
    name: z.enum(DEPENDENCY_NAMES as [string, ...string[]]),
    view: BreakerViewSchema,
    counters: BreakerCountersSchema,
    /** What the isolate that answered believes (it may lag by up to the propagation bound). */
    isolateView: BreakerViewSchema.nullable(),
  })
  .openapi("Breaker");

const NameParams = z.object({
  name: z.enum(DEPENDENCY_NAMES as [string, ...string[]]).openapi({ param: { name: "name", in: "path" } }),
  action: z.enum(["open", "close", "reset"]).openapi({ param: { name: "action", in: "path" } }),
});

const tags = ["admin"];
const security = access.requires("admin");

export const listBreakers = createRoute({
  method: "get",
  path: "/admin/breakers",
  tags,
  security,
  summary: "Circuit breakers: state and counters of each dependency",
  responses: { 200: json(z.object({ breakers: z.array(BreakerSchema) }), "Every breaker"), ...authErrors },
});

export const actOnBreaker = createRoute({
  method: "post",
  path: "/admin/breakers/{name}/{action}",
  tags,
  security,
  summary: "Force a breaker open or closed (held until reset), or reset it",
  request: { params: NameParams },
  responses: {
    200: json(BreakerSchema, "The breaker after the action"),
    400: problem("Unknown breaker or action"),
    ...authErrors,
  },
});
