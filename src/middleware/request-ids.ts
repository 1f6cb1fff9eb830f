import type { MiddlewareHandler } from "hono";
import { requestId } from "hono/request-id";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config/config";

const HEADER = "X-Request-Id";
/** What Hono's requestId accepts from a client: word characters, `-` and `=`, 255 at most. */
const WELL_FORMED = /^[\w\-=]{1,255}$/;

/**
 * Request ids (Hono's `requestId`): the server mints its own for every request, so a client
 * cannot choose what the logs file its request under (or collide with another's); a
 * well-formed id the client sent is kept as `clientRequestId` for correlation. Behind a
 * proxy you run that sets `X-Request-Id` itself, `TRUST_REQUEST_ID = "true"` adopts it.
 */
export function requestIds(): MiddlewareHandler<AppEnv> {
  const adopting = requestId({ headerName: HEADER });
  const minting = requestId({ headerName: "" });
  return async function requestIds(c, next) {
    if (trusted(c.env)) return adopting(c, next);
    return minting(c, async () => {
      c.header(HEADER, c.get("requestId"));
      const sent = c.req.header(HEADER);
      if (sent !== undefined && WELL_FORMED.test(sent)) c.set("clientRequestId", sent);
      await next();
    });
  };
}

/** Whether to adopt the client's id; with a broken configuration, no (the error still gets an id). */
function trusted(env: AppEnv["Bindings"]): boolean {
  try {
    return readConfig(env).TRUST_REQUEST_ID === "true";
  } catch {
    return false;
  }
}
