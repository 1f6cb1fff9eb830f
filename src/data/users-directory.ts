import { databaseCall, redisCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import type { CacheStatus } from "./cache-stats";
import { UserRepository } from "./users";
import { log } from "../observability/logger";
import { redisKey } from "../config/service";

const KEY = redisKey("v1", "users-dict");
const TTL_SECONDS = 300;
/** A field no user id can be (ids are UUIDs): marks a directory cut at its limit. */
const TRUNCATED_FIELD = "~truncated";

export interface UsersDirectory {
  directory: Record<string, string>;
  /** True when there are more users than the directory holds. */
  truncated: boolean;
  status: CacheStatus;
}

/**
 * The users directory (id → name, the newest `limit` users) as a Redis hash with a TTL,
 * rebuilt from Postgres on a miss and dropped on every user write. Names are stored
 * JSON-encoded: the client would otherwise read a name like "1.50" back as the number 1.5.
 */
export async function usersDirectory(scope: DependencyScope, limit: number): Promise<UsersDirectory> {
  const redis = redisCall(scope);
  try {
    const cached = await redis((client) => client.hgetall<Record<string, string>>(KEY), { idempotent: true });
    if (cached) {
      const { [TRUNCATED_FIELD]: truncated, ...directory } = cached;
      return { directory, truncated: truncated !== undefined, status: "HIT" };
    }
  } catch (error) {
    if (scope.signal.aborted) throw error;
    return { ...(await load(scope, limit)), status: "BYPASS" };
  }
  const { directory, truncated } = await load(scope, limit);
  if (Object.keys(directory).length > 0) {
    const encoded = Object.fromEntries(Object.entries(directory).map(([id, name]) => [id, JSON.stringify(name)]));
    if (truncated) encoded[TRUNCATED_FIELD] = "true";
    await redis(async (client) => {
        const tx = client.multi();
        tx.del(KEY);
        tx.hset(KEY, encoded);
        tx.expire(KEY, TTL_SECONDS);
        await tx.exec();
      }, { idempotent: true })
      .catch((error: unknown) => {
        if (scope.signal.aborted) throw error;
      });
  }
  return { directory, truncated, status: "MISS" };
}

/** After a user write; if Redis is down the hash expires with its TTL (logged). */
export async function forgetUsersDirectory(scope: DependencyScope): Promise<void> {
  try {
    await redisCall(scope)((redis) => redis.del(KEY), { idempotent: true });
  } catch (error) {
    if (scope.signal.aborted) throw error;
    log("warn", "users directory not dropped; it expires by TTL");
  }
}

async function load(scope: DependencyScope, limit: number): Promise<{ directory: Record<string, string>; truncated: boolean }> {
  const { names, truncated } = await databaseCall(scope)((sql) => new UserRepository(sql).directory(limit), { idempotent: true });
  return { directory: names, truncated };
}
