import type { Context } from "hono";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config/config";
import { readCredential } from "../auth/credentials";
import { identify, type IdentifyInput } from "../auth/identify";
import { anonymousId, type Principal } from "../auth/principal";
import { scopeOf } from "./dependencies";
import { problems } from "../errors/problem";

/** What `identify` needs from a request: its credential, client IP, scope and settings. */
export function identifyInput(c: Context<AppEnv>): IdentifyInput {
  const config = readConfig(c.env);
  return {
    scope: scopeOf(c),
    credential: readCredential({ authorization: c.req.header("Authorization"), apiKey: c.req.header("X-API-Key") }),
    clientIp: c.req.header("CF-Connecting-IP"),
    adminToken: config.ADMIN_TOKEN,
    keyCacheSeconds: config.API_KEY_CACHE_SECONDS,
  };
}

/**
 * The request's principal: the one the rate limiter already verified, else verified now
 * (on routes without a limiter). A refused credential is a 401.
 */
export async function principalOf(c: Context<AppEnv>): Promise<Principal> {
  const known = c.get("principal");
  if (known) return known;
  const { principal, failure } = await identify(identifyInput(c));
  if (!principal) throw problems.unauthorized(failure ?? "Invalid credential.");
  c.set("principal", principal);
  return principal;
}

/** Who owns what this request leaves behind (idempotency keys): its principal, else its client IP. */
export function callerId(c: Context<AppEnv>): string {
  return c.get("principal")?.id ?? anonymousId(c.req.header("CF-Connecting-IP"));
}

/** An idempotency key's namespace: the caller, the method and the path. */
export const idempotencyScope = (c: Context<AppEnv>): string => `${callerId(c)} ${c.req.method} ${c.req.path}`;
