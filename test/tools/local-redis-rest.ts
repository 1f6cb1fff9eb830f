import { Redis } from "@upstash/redis";
import { createEngineFromEnv, startRedisRestServer, type RedisEngine, type RedisRestServer } from "../../tools/redis-rest/index.ts";

export const TOKEN = "test-token";

export interface LocalRedisRest {
  engine: RedisEngine;
  server: RedisRestServer;
  /** The real client, pointed at the server, with no retries (a failure shows at once). */
  redis: Redis;
  close(): Promise<void>;
}

/** The local Upstash REST server on the embedded engine, or on the real Redis named by REDIS_URL, with a client. */
export async function startLocalRedisRest(): Promise<LocalRedisRest> {
  const engine = await createEngineFromEnv({ REDIS_URL: process.env.REDIS_URL || undefined });
  const server = await startRedisRestServer({ engine, token: TOKEN });
  const redis = new Redis({ url: server.url, token: TOKEN, retry: false, enableTelemetry: false });
  return {
    engine,
    server,
    redis,
    close: async () => {
      await server.close();
      await engine.close();
    },
  };
}
