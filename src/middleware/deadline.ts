import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { readConfig, type Config } from "../config/config";
import { createDeadline } from "../resilience";
import { matchedRoute } from "./matched-route";

/**
 * A route's time budget, by kind; the milliseconds are tunables in the config:
 *
 * - `read` (`READ_REQUEST_TIMEOUT_MS`, 3 s): reads and health checks. A read that cannot
 *   answer soon is better refused (504) or answered from a stale copy than left waiting;
 * - `standard` (`REQUEST_TIMEOUT_MS`, 5 s): every route that declares nothing (writes…);
 * - `long` (`LONG_REQUEST_TIMEOUT_MS`, 60 s): uploads and streamed exports.
 */
export type Budget = "read" | "standard" | "long";

const BUDGET_VARS = {
  read: "READ_REQUEST_TIMEOUT_MS",
  standard: "REQUEST_TIMEOUT_MS",
  long: "LONG_REQUEST_TIMEOUT_MS",
} as const satisfies Record<Budget, keyof Config>;

/**
 * The member of a route definition that declares its budget. An OpenAPI extension, so
 * /openapi.json tells clients which budget an operation has, as it tells them its access rule.
 */
const BUDGET_FIELD = "x-time-budget";

/**
 * Declares a route's time budget in its OpenAPI definition, beside its access rule:
 *
 * @example
 * createRoute({ method: "get", path: "/products/{id}", security: security.public(), ...budget("read"), … })
 */
export const budget = (kind: Budget): { [BUDGET_FIELD]: Budget } => ({ [BUDGET_FIELD]: kind });

/** The routes as the OpenAPI registry holds them (`app.openAPIRegistry.definitions`). */
type Definitions = readonly { type: string; route?: { method: string; path: string; [BUDGET_FIELD]?: unknown } }[];

/**
 * Gives the request one AbortSignal that fires when the client disconnects or when its time
 * budget runs out: the budget its route declares with `budget(…)`, else `REQUEST_TIMEOUT_MS`.
 * The route is known before it runs (the router has matched it), so the one signal covers
 * the whole request, rate limiter and dependencies included. Every I/O call of the request
 * takes this signal or a child of it, so nothing outlives the budget; retries know the
 * deadline and never sleep past it; `onError` answers a fired deadline with a 504.
 *
 * @example
 * app.use(deadline(() => app.openAPIRegistry.definitions));
 */
export function deadline(definitions: () => Definitions): MiddlewareHandler<AppEnv> {
  let budgets: Map<string, Budget> | undefined;
  return async function deadline(c, next) {
    budgets ??= declaredBudgets(definitions());
    const budgetMs = readConfig(c.env)[BUDGET_VARS[budgetOf(c, budgets)]];
    const request = createDeadline(budgetMs, { parent: c.req.raw.signal });
    c.set("signal", request.signal);
    try {
      await next();
    } finally {
      request.dispose();
    }
  };
}

function budgetOf(c: Context<AppEnv>, budgets: Map<string, Budget>): Budget {
  const route = matchedRoute(c);
  return (route && budgets.get(route.key)) ?? "standard";
}

/** Each route's declared budget by `METHOD /path/{param}`; a value that is not a budget fails loudly. */
function declaredBudgets(definitions: Definitions): Map<string, Budget> {
  const budgets = new Map<string, Budget>();
  for (const definition of definitions) {
    const declared = definition.route?.[BUDGET_FIELD];
    if (definition.type !== "route" || !definition.route || declared === undefined) continue;
    if (!isBudget(declared)) throw new Error(`${definition.route.path}: ${BUDGET_FIELD} must be one of ${Object.keys(BUDGET_VARS).join(", ")}`);
    budgets.set(`${definition.route.method.toUpperCase()} ${definition.route.path}`, declared);
  }
  return budgets;
}

const isBudget = (value: unknown): value is Budget => typeof value === "string" && Object.hasOwn(BUDGET_VARS, value);
