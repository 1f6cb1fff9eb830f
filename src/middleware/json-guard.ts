import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { problems } from "../errors/problem";
import { findJsonHazard, MAX_JSON_DEPTH, nestsDeeperThan } from "../util/json-hazards";

/**
 * Refuses hostile JSON bodies with a 400 naming the field, before any route parses or
 * stores them: nesting past `MAX_JSON_DEPTH` (checked on the raw text, before parsing),
 * and text Postgres cannot store (NUL, unpaired surrogates) in any value or key. Runs after
 * the body size limit, so the text it reads is bounded; the validators reuse it (Hono
 * caches the body).
 */
export function jsonGuard(): MiddlewareHandler<AppEnv> {
  return async function jsonGuard(c, next) {
    const type = c.req.header("Content-Type") ?? "";
    if (!/^application\/([\w.+-]+\+)?json\b/i.test(type) || !c.req.raw.body) return next();
    const text = await c.req.text();
    if (nestsDeeperThan(text, MAX_JSON_DEPTH)) {
      throw problems.validation([{ in: "body", field: "(root)", message: `nested deeper than ${String(MAX_JSON_DEPTH)} levels` }]);
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return next(); // malformed: the route's validator answers it (400)
    }
    const hazard = findJsonHazard(body);
    if (hazard) throw problems.validation([{ in: "body", field: hazard.path, message: hazard.message }]);
    await next();
  };
}
