import type { RedisEngine } from "./engine.ts";
import { createEmbeddedEngine } from "./embedded-engine.ts";
import { createRealEngine } from "./real-engine.ts";

export type { RedisEngine } from "./engine.ts";
export { createEmbeddedEngine } from "./embedded-engine.ts";
export { createRealEngine } from "./real-engine.ts";
export { startRedisRestServer, type RedisRestServer } from "./server.ts";

/** A real Redis when REDIS_URL is set; otherwise the embedded engine. */
export function createEngineFromEnv(env: { REDIS_URL?: string }): Promise<RedisEngine> {
  return env.REDIS_URL ? createRealEngine(env.REDIS_URL) : Promise.resolve(createEmbeddedEngine());
}
