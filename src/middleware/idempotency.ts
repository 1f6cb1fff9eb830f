import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { problems, Problem } from "../errors/problem";
import { sha256Hex } from "../util/sha256";
import { idempotencyScope } from "./identity";
import { problemType, redisKey } from "../config/service";

const HEADER = "Idempotency-Key";
const MAX_KEY_LENGTH = 255;
/** Results are replayed for a day (Stripe keeps them 24 h). */
const RESULT_TTL_SECONDS = 24 * 60 * 60;
/** The in-flight marker outlives any request's budget, then frees the key. */
const IN_FLIGHT_TTL_SECONDS = 60;
/** A duplicate waits this long for the first request to finish, then gets a 409. */
const WAIT_FOR_FIRST_MS = 1_000;
const POLL_MS = 50;
/** The response headers a replay must carry to mean the same thing. */
const REPLAYED_HEADERS = ["Content-Type", "Location", "ETag"];

type Stored =
  | { state: "in-flight"; fingerprint: string }
  | { state: "done"; fingerprint: string; status: number; headers: Record<string, string>; body: string };

/**
 * Idempotency keys for POST and PATCH, after Stripe's design, scoped to the caller (API
 * key, or client IP when anonymous) and to the route and method. The first request with a key
 * runs and its response (status, the headers that matter, body) is kept 24 h with a
 * fingerprint of the request; a retry with the same key gets that response byte for byte,
 * with `Idempotent-Replayed: true`. The same key with another request → 422. A duplicate
 * that arrives while the first is still running waits for it (up to a second, polling:
 * Workers cannot wake one request from another's promise) and gets the same reply; if
 * the first is still running then → 409. Validation failures (400) and server errors
 * (5xx) are not kept: the client may fix the request, or try again, with the same key.
 *
 * The key is claimed with `SET NX` before the handler runs, so two concurrent requests
 * cannot both run. If Redis cannot be reached the request is refused (503): running it
 * without the guarantee the client asked for could apply it twice.
 */
export function idempotency(): MiddlewareHandler<AppEnv> {
  return async function idempotency(c, next) {
    const key = c.req.header(HEADER);
    if (key === undefined || (c.req.method !== "POST" && c.req.method !== "PATCH")) return next();
    if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
      throw problems.validation([{ in: "header", field: HEADER, message: `Must be 1 to ${MAX_KEY_LENGTH} characters.` }]);
    }
    // Scoped to the caller and to the route and method: one client's key can neither replay
    // another client's response nor be squatted by them, and one key on two routes is two keys.
    const storeKey = redisKey("v1", "idempotency", await sha256Hex(`${idempotencyScope(c)}\n${key}`));
    const fingerprint = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);

    const claimed = await c.get("redis")(
      (redis) => redis.set(storeKey, { state: "in-flight", fingerprint } satisfies Stored, { nx: true, ex: IN_FLIGHT_TTL_SECONDS }),
      { idempotent: false },
    );
    if (claimed !== "OK") return replay(c, storeKey, fingerprint);

    try {
      await next();
    } catch (error) {
      await release(c, storeKey);
      throw error;
    }
    const status = c.res.status;
    // Refusals of the credential (401, 403) and of the rate (429) are not the request's answer either.
    if (status === 400 || status === 401 || status === 403 || status === 429 || status >= 500) {
      await release(c, storeKey);
      return;
    }
    const result: Stored = { state: "done", fingerprint, status, headers: pick(c.res.headers), body: await c.res.clone().text() };
    await c.get("redis")((redis) => redis.set(storeKey, result, { ex: RESULT_TTL_SECONDS }), { idempotent: true });
  };
}

async function replay(c: Context<AppEnv>, storeKey: string, fingerprint: string): Promise<Response> {
  const read = () => c.get("redis")((redis) => redis.get<Stored>(storeKey), { idempotent: true });
  let stored = await read();
  const until = Date.now() + WAIT_FOR_FIRST_MS;
  while (stored?.state === "in-flight" && stored.fingerprint === fingerprint && Date.now() < until) {
    // eslint-disable-next-line no-await-in-loop
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    // eslint-disable-next-line no-await-in-loop
    stored = await read();
  }
  if (!stored) throw problems.conflict("This Idempotency-Key was just released; retry the request.");
  if (stored.fingerprint !== fingerprint) {
    throw new Problem({
      type: problemType("idempotency-key-reused"),
      title: "Unprocessable Content",
      status: 422,
      detail: "This Idempotency-Key was used with a different request.",
    });
  }
  if (stored.state === "in-flight") {
    throw problems.conflict("A request with this Idempotency-Key is still being processed; retry later.");
  }
  return new Response(stored.body, { status: stored.status, headers: { ...stored.headers, "Idempotent-Replayed": "true" } });
}

/** Frees the key so the client can try again; if this fails, the marker expires on its own. */
async function release(c: Context<AppEnv>, storeKey: string): Promise<void> {
  await c.get("redis")((redis) => redis.del(storeKey), { idempotent: true }).catch(() => undefined);
}

function pick(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = headers.get(name);
    if (value !== null) kept[name] = value;
  }
  return kept;
}
