import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { Cache } from "../../data/cache";
import { cacheStats, STATS_KEY } from "../../data/cache-stats";
import { scopeOf } from "../../middleware/dependencies";
import type { getCacheStats, invalidateCache } from "./cache.routes";

export const invalidate: RouteHandler<typeof invalidateCache, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  const cache = new Cache(scopeOf(c));
  const dropped = "tag" in body ? await cache.invalidateTags([body.tag]) : await cache.invalidatePattern(body.pattern);
  return c.json({ dropped }, 200);
};

export const stats: RouteHandler<typeof getCacheStats, AppEnv> = async (c) => {
  await cacheStats.flush(scopeOf(c)); // this isolate's latest counts first
  const [counters, info, entries] = await Promise.all([
    // The client parses the counters back into numbers.
    c.get("redis")((redis) => redis.hgetall<Record<string, number>>(STATS_KEY), { idempotent: true }),
    c.get("redis")((redis) => redis.exec<string>(["INFO", "memory"]), { idempotent: true }),
    new Cache(scopeOf(c)).countEntries(),
  ]);
  const usedMemory = /used_memory:(\d+)/.exec(info)?.[1];
  return c.json(
    {
      hits: counters?.hits ?? 0,
      misses: counters?.misses ?? 0,
      bypasses: counters?.bypasses ?? 0,
      stale: counters?.stale ?? 0,
      entries,
      redisUsedMemoryBytes: usedMemory === undefined ? null : Number(usedMemory),
    },
    200,
  );
};
