import { Cache } from "../../data/cache";
import { createRouter } from "../router";
import { invalidateCache } from "./cache.routes";

export const cacheRouter = createRouter().openapi(invalidateCache, async (c) => {
  const body = c.req.valid("json");
  const cache = new Cache(c);
  const dropped = "tag" in body ? await cache.invalidateTags([body.tag]) : await cache.invalidatePattern(body.pattern);
  return c.json({ dropped }, 200);
});
