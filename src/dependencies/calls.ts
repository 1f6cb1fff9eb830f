import { createDatabase, type Database } from "../data/database";
import { createRedis, type Redis } from "../data/redis";
import { guarded, type GuardOptions } from "./guard";
import type { DependencyScope } from "./scope";
import { slowQueryObserver } from "../observability/slow-queries";

/** Runs `work` with a client for the dependency, under its deadline, retry, bulkhead and breaker. */
export type DependencyCall<Client> = <T>(work: (client: Client) => Promise<T>, options: GuardOptions) => Promise<T>;

/**
 * Guarded database access within `scope`. Each attempt builds its client bound to that
 * attempt's signal; building one does no I/O (Neon is an HTTP client), so it costs nothing.
 *
 * @example
 * const product = await databaseCall(scope)((sql) => new ProductRepository(sql).get(id), { idempotent: true });
 */
export function databaseCall(scope: DependencyScope): DependencyCall<Database> {
  const observer = slowQueryObserver(scope);
  return (work, options) => guarded(scope, "neon", (signal) => work(createDatabase(scope.env, signal, observer)), options);
}

/** Guarded Redis access within `scope` (see `databaseCall`). */
export function redisCall(scope: DependencyScope): DependencyCall<Redis> {
  return (work, options) => guarded(scope, "redis", (signal) => work(createRedis(scope.env, signal)), options);
}
