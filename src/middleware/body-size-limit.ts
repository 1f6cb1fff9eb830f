import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config/config";
import { problems } from "../errors/problem";

/**
 * Refuses bodies over `MAX_BODY_BYTES` with a 413 problem, counting the bytes as they stream
 * in (Hono's `bodyLimit`), so a lying or missing Content-Length cannot get a huge body parsed.
 */
export function bodySizeLimit(): MiddlewareHandler<AppEnv> {
  return async function bodySizeLimit(c, next) {
    const maxSize = readConfig(c.env).MAX_BODY_BYTES;
    const limit = bodyLimit({
      maxSize,
      onError: () => {
        throw problems.payloadTooLarge(maxSize);
      },
    });
    return limit(c, next);
  };
}
