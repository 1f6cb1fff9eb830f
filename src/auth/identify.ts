import { NOT_SENT } from "../data/redis-ride-along";
import type { DependencyScope } from "../dependencies/scope";
import { hashApiKey } from "./api-key";
import type { Credential } from "./credentials";
import { isExpired, KeyVerifier, parseVerified, recentKeys, verificationKey } from "./key-verifier";
import { recordKeyUse } from "./last-used";
import { anonymousId, type Principal, type VerifiedKey } from "./principal";
import { sameSecret } from "./same-secret";

/** A rate limiter's verdict for one request. */
export interface LimitDecision {
  success: boolean;
  remaining: number;
  resetSeconds: number;
}

/** One counted request: the verdict (absent when Redis could not tell), and the ride-along read. */
export interface LimitCheck {
  decision?: LimitDecision;
  /** True when the limiter could not reach Redis: the route's fail mode decides. */
  unavailable?: boolean;
  /** The reply to `alsoRead`, or `NOT_SENT`. */
  read: unknown;
}

export interface Limiter {
  /** Counts a request against `identity`; `alsoRead` is a Redis key to GET in the same round trip. */
  check(identity: string, alsoRead?: string): Promise<LimitCheck>;
  /** A denial this isolate already knows of (the identity is over its limit), without I/O. */
  knownDenial(identity: string): LimitDecision | undefined;
}

export interface IdentifyInput {
  scope: DependencyScope;
  credential: Credential;
  /** `CF-Connecting-IP`: who an anonymous or failed request is counted against. */
  clientIp: string | undefined;
  /** The break-glass token, when one is configured. */
  adminToken: string | undefined;
  keyCacheSeconds: number;
}

/** Who the caller is (or why they are not), and the rate limiter's verdict on the request. */
export interface Identity {
  principal?: Principal;
  /** Why the credential was refused: a 401, unless the verdict is a 429. */
  failure?: string;
  decision?: LimitDecision;
  limiterUnavailable: boolean;
}

const UNKNOWN_KEY = "Unknown, expired or revoked API key.";
const keyIdentity = (key: VerifiedKey) => `key:${key.id}`;

/**
 * Verifies the request's credential and counts the request, against the right identity:
 * the verified key's id, the break-glass token, or the client IP (anonymous callers, and
 * every failed credential, so invented keys never escape the IP's limit nor create buckets
 * of their own). Without a limiter, it only verifies.
 *
 * Round trips, for a key this isolate verified before: one. The rate limiter's script and
 * the read of the key's cached verification travel together (see `rideAlong`), and that
 * read, not the isolate's memory, decides: a revocation, which drops the cached entry, is
 * in force from the next request. A key new to the isolate costs one more Redis read, and a
 * key new to the cache a database query too (unless the client IP is already known to be
 * over its limit: then invented keys cost the database nothing).
 */
export async function identify(input: IdentifyInput, limiter?: Limiter): Promise<Identity> {
  // Once Redis failed in this request, nothing more is asked of it: an outage must not
  // multiply the calls each request makes to it (nor feed its breaker five failures a time).
  let redisDown = false;
  const count = async (identity: string, alsoRead?: string): Promise<LimitCheck> => {
    if (!limiter || redisDown) return { read: NOT_SENT, unavailable: redisDown };
    const check = await limiter.check(identity, alsoRead);
    redisDown ||= check.unavailable === true;
    return check;
  };
  const anonymous = anonymousId(input.clientIp);
  const refuse = async (failure: string): Promise<Identity> => ({ failure, ...verdict(await count(anonymous)) });
  const { credential } = input;

  switch (credential.kind) {
    case "none":
      return { principal: { kind: "anonymous", id: anonymous }, ...verdict(await count(anonymous)) };
    case "invalid":
      return refuse(credential.reason);
    case "bearer":
      if (input.adminToken !== undefined && (await sameSecret(credential.token, input.adminToken))) {
        return { principal: { kind: "admin-token", id: "admin-token" }, ...verdict(await count("admin-token")) };
      }
      return refuse("Unknown bearer token: send an API key.");
    case "api-key":
      return identifyKey(input, await hashApiKey(credential.key), { count, refuse, limiter, redisDown: () => redisDown });
  }
}

interface KeyTools {
  count: (identity: string, alsoRead?: string) => Promise<LimitCheck>;
  refuse: (failure: string) => Promise<Identity>;
  limiter: Limiter | undefined;
  redisDown: () => boolean;
}

async function identifyKey(input: IdentifyInput, hash: string, { count, refuse, limiter, redisDown }: KeyTools): Promise<Identity> {
  const verifier = new KeyVerifier(input.scope, input.keyCacheSeconds, redisDown);
  const hint = recentKeys.get(hash);
  let key: VerifiedKey | undefined;
  let counted: LimitCheck;

  if (hint && !isExpired(hint)) {
    counted = await count(keyIdentity(hint), verificationKey(hash));
    if (counted.read !== NOT_SENT) {
      const cached = parseVerified(counted.read);
      // No entry: revoked (the revocation dropped it) or simply expired from the cache.
      key = cached?.id === hint.id && !isExpired(cached) ? cached : await verifier.fromDatabase(hash);
    } else if (counted.decision && !counted.decision.success) {
      key = hint; // refused anyway (429): nothing more to learn
    } else {
      key = await verifier.verify(hash); // the limiter sent nothing (Redis down): verify on its own
    }
    if (!key) {
      recentKeys.delete(hash);
      return refuse(UNKNOWN_KEY);
    }
  } else {
    key = (await verifier.fromCache(hash)) ?? undefined;
    if (!key) {
      // Failed keys count against the client IP: once it is over its limit, more invented
      // keys are refused before the database is asked.
      const denial = limiter?.knownDenial(anonymousId(input.clientIp));
      if (denial) return { failure: UNKNOWN_KEY, decision: denial, limiterUnavailable: false };
      key = await verifier.fromDatabase(hash);
      if (!key) return refuse(UNKNOWN_KEY);
    }
    counted = await count(keyIdentity(key));
  }
  recentKeys.set(hash, key);
  recordKeyUse(input.scope, key.id);
  return { principal: { kind: "key", id: keyIdentity(key), key }, ...verdict(counted) };
}

const verdict = (check: LimitCheck): Pick<Identity, "decision" | "limiterUnavailable"> => ({
  decision: check.decision,
  limiterUnavailable: check.unavailable === true,
});
