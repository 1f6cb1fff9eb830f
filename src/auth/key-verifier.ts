import { z } from "zod";
import { ApiKeyRepository, type ApiKey } from "../data/api-keys";
import { databaseCall, redisCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import { ScopeSchema } from "./scopes";
import type { VerifiedKey } from "./principal";
import { redisKey } from "../config/service";

/** The cached verification of the key whose SHA-256 is `hash`. */
export const verificationKey = (hash: string): string => redisKey("v1", "apikey", hash);

const VerifiedKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(ScopeSchema),
  expiresAt: z.number().nullable(),
});

/** A cached verification as Redis returns it, or null for anything else (absent, or not ours). */
export function parseVerified(raw: unknown): VerifiedKey | null {
  const parsed = VerifiedKeySchema.safeParse(typeof raw === "string" ? safeJson(raw) : raw);
  return parsed.success ? parsed.data : null;
}

export const isExpired = (key: VerifiedKey, now = Date.now()): boolean => key.expiresAt !== null && key.expiresAt <= now;

/**
 * Keys this isolate verified recently, by hash: a hint, never the authority. It tells the
 * rate limiter which identity to count before the verification comes back (so both travel
 * in one round trip); the cached verification in Redis, read on every request, decides.
 * Scopes never change after creation, so the hint cannot grant more than the key had.
 */
const MAX_HINTS = 1_000;
const hints = new Map<string, VerifiedKey>();

export const recentKeys = {
  get: (hash: string): VerifiedKey | undefined => hints.get(hash),
  set(hash: string, key: VerifiedKey): void {
    hints.delete(hash);
    hints.set(hash, key);
    // Maps iterate in insertion order: the first entry is the least recently verified.
    if (hints.size > MAX_HINTS) hints.delete(hints.keys().next().value ?? "");
  },
  delete: (hash: string): boolean => hints.delete(hash),
};

/**
 * Verifies API keys by hash: from the Redis cache (one GET), else from Postgres, caching
 * what it finds for `ttlSeconds` (never past the key's expiry). Revoked, expired and unknown
 * keys are never cached, so a revocation only has to drop the entry.
 */
export class KeyVerifier {
  readonly #scope: DependencyScope;
  readonly #ttlSeconds: number;
  readonly #redisDown: () => boolean;
  #cacheFailed = false;

  /** `redisDown`: true once Redis failed for this request, which then skips the cache. */
  constructor(scope: DependencyScope, ttlSeconds: number, redisDown: () => boolean = () => false) {
    this.#scope = scope;
    this.#ttlSeconds = ttlSeconds;
    this.#redisDown = redisDown;
  }

  /** The cached verification; null when absent, undefined when Redis could not answer. */
  async fromCache(hash: string): Promise<VerifiedKey | null | undefined> {
    if (this.#skipCache()) return undefined;
    try {
      const raw = await redisCall(this.#scope)((redis) => redis.get(verificationKey(hash)), { idempotent: true });
      const key = parseVerified(raw);
      return key && !isExpired(key) ? key : null;
    } catch (error) {
      if (this.#scope.signal.aborted) throw error;
      this.#cacheFailed = true;
      return undefined;
    }
  }

  #skipCache(): boolean {
    return this.#cacheFailed || this.#redisDown();
  }

  /**
   * The key from Postgres (the authority), cached in Redis when valid; undefined when it is
   * unknown, revoked or expired. A database that cannot answer is an error (fail closed).
   */
  async fromDatabase(hash: string): Promise<VerifiedKey | undefined> {
    const row = await databaseCall(this.#scope)((sql) => new ApiKeyRepository(sql).findByHash(hash), { idempotent: true });
    const key = row && verifiedFrom(row);
    if (!key) return undefined;
    const ttl = key.expiresAt === null ? this.#ttlSeconds : Math.min(this.#ttlSeconds, Math.ceil((key.expiresAt - Date.now()) / 1000));
    if (ttl > 0 && !this.#skipCache()) {
      await redisCall(this.#scope)((redis) => redis.set(verificationKey(hash), key, { ex: ttl }), { idempotent: true }).catch((error: unknown) => {
        if (this.#scope.signal.aborted) throw error;
        // Uncached, the next request asks the database again: slower, still correct.
      });
    }
    return key;
  }

  /** From the cache, else the database. */
  async verify(hash: string): Promise<VerifiedKey | undefined> {
    return (await this.fromCache(hash)) ?? this.fromDatabase(hash);
  }
}

function verifiedFrom(row: ApiKey): VerifiedKey | undefined {
  if (row.revoked_at !== null) return undefined;
  const key: VerifiedKey = {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.flatMap((scope) => {
      const parsed = ScopeSchema.safeParse(scope);
      return parsed.success ? [parsed.data] : [];
    }),
    expiresAt: row.expires_at?.getTime() ?? null,
  };
  return isExpired(key) ? undefined : key;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * Drops a key's cached verification, in Redis and in this isolate: after a revocation, the
 * next request with the key finds no entry and asks the database. Throws when Redis cannot
 * be reached, so the caller can say the revocation is not yet in force everywhere.
 */
export async function dropVerification(scope: DependencyScope, hash: string): Promise<void> {
  recentKeys.delete(hash);
  await redisCall(scope)((redis) => redis.del(verificationKey(hash)), { idempotent: true });
}
