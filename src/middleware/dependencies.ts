import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env";
import { createDatabase, type Database } from "../data/database";
import { createRedis, type Redis } from "../data/redis";
import { guarded, type GuardOptions } from "../dependencies/guard";

/** Runs `work` with a client for the dependency, under its deadline, retry, bulkhead and breaker. */
export type DependencyCall<Client> = <T>(work: (client: Client) => Promise<T>, options: GuardOptions) => Promise<T>;

/**
 * Puts guarded access to the database and Redis on the context. Each call builds its client
 * bound to that attempt's signal; building one does no I/O (both are HTTP clients), so
 * routes that never touch a dependency pay nothing.
 *
 * @example
 * const product = await c.var.db((sql) => new ProductRepository(sql).get(id), { idempotent: true });
 */
export function dependencies(): MiddlewareHandler<AppEnv> {
  return async function dependencies(c, next) {
    const db: DependencyCall<Database> = (work, options) =>
      guarded(c, "neon", (signal) => work(createDatabase(c.env, signal)), options);
    const redis: DependencyCall<Redis> = (work, options) =>
      guarded(c, "redis", (signal) => work(createRedis(c.env, signal)), options);
    c.set("db", db);
    c.set("redis", redis);
    await next();
  };
}
