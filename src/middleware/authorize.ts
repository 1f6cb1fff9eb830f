import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { accessFrom, type Access, type SecurityRequirement } from "../auth/access";
import { hasScope } from "../auth/principal";
import type { Scope } from "../auth/scopes";
import { Problem, problems } from "../errors/problem";
import { log } from "../observability/logger";
import { matchedRoute } from "./matched-route";
import { principalOf } from "./identity";

/** The routes as the OpenAPI registry holds them (`app.openAPIRegistry.definitions`). */
type Definitions = readonly { type: string; route?: { method: string; path: string; security?: SecurityRequirement[] } }[];

/**
 * Enforces each route's access rule, read from the `security` of its OpenAPI definition:
 * the one place a route declares who may call it, and what /openapi.json documents. Runs
 * after the rate limiter (which verified the caller) and before anything acts on the
 * request (idempotency keys, handlers). No key, or an invalid one → 401; a key without the
 * scope → 403. A route that declares no rule is refused (500, logged): a route added
 * without a policy fails closed, never open.
 *
 * @example
 * app.use(authorize(() => app.openAPIRegistry.definitions));
 */
export function authorize(definitions: () => Definitions): MiddlewareHandler<AppEnv> {
  let rules: Map<string, Access | undefined> | undefined;
  return async function authorize(c, next) {
    const route = matchedRoute(c);
    // No route: the 404 or 405 answers it.
    if (!route) return next();
    rules ??= accessRules(definitions());
    const { key } = route;
    const access = rules.get(key);
    if (!access) {
      log("error", "route without an access policy refused", { requestId: c.get("requestId"), route: key });
      throw new Problem({ title: "Internal Server Error", status: 500, detail: "This route declares no access policy." });
    }
    if (access.kind === "public") return next();
    if (access.kind === "scope") await requireScope(c, access.scope);
    await next();
  };
}

function accessRules(definitions: Definitions): Map<string, Access | undefined> {
  const rules = new Map<string, Access | undefined>();
  for (const definition of definitions) {
    if (definition.type !== "route" || !definition.route) continue;
    const { method, path, security } = definition.route;
    rules.set(`${method.toUpperCase()} ${path}`, accessFrom(security));
  }
  return rules;
}

/**
 * For routes whose rule is `optional` (their handler decides per resource): the caller
 * must hold `scope`. Throws the same 401 and 403 as `authorize`.
 */
export async function requireScope(c: Context<AppEnv>, scope: Scope): Promise<void> {
  const principal = await principalOf(c);
  if (principal.kind === "anonymous") throw problems.unauthorized(`This needs an API key with the "${scope}" scope: Authorization: Bearer <key>.`);
  if (!hasScope(principal, scope)) throw problems.forbidden(scope);
}
