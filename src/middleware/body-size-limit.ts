import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { AppEnv } from "../app-env";
import { readConfig } from "../config/config";
import { problems } from "../errors/problem";

/**
 * Refuses bodies over `MAX_BODY_BYTES` with a 413 problem, counting the bytes as they stream
 * in (Hono's `bodyLimit`), so a lying or missing Content-Length cannot get a huge body parsed.
 *
 * `exceptPath` is one path left to a limit of its own. It is a plain comparison rather than
 * Hono's `except()`, which routes every request through a router of its own and three async
 * layers: 2 % of a cache hit's CPU in `npm run bench:profile`.
 */
export function bodySizeLimit(options: { exceptPath?: string } = {}): MiddlewareHandler<AppEnv> {
  let built: { maxSize: number; limit: MiddlewareHandler } | undefined;
  return async function bodySizeLimit(c, next) {
    if (c.req.path === options.exceptPath) return next();
    const maxSize = readConfig(c.env).MAX_BODY_BYTES;
    if (built?.maxSize !== maxSize) {
      built = {
        maxSize,
        limit: bodyLimit({
          maxSize,
          onError: () => {
            throw problems.payloadTooLarge(maxSize);
          },
        }),
      };
    }
    return built.limit(c, next);
  };
}
