import type { Scope } from "./scopes";

/** A key as verification knows it: enough to authorise, nothing secret. */
export interface VerifiedKey {
  id: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  /** Epoch milliseconds, or null for a key that does not expire. */
  expiresAt: number | null;
}

/**
 * Who is calling, once their credential is verified. `id` is the rate limiter's identity
 * and the idempotency keys' namespace: the key's id, the break-glass token, or the client
 * IP when no credential was sent.
 */
export type Principal =
  | { kind: "anonymous"; id: string }
  | { kind: "key"; id: string; key: VerifiedKey }
  | { kind: "admin-token"; id: "admin-token" };

export function hasScope(principal: Principal, scope: Scope): boolean {
  if (principal.kind === "admin-token") return true;
  return principal.kind === "key" && principal.key.scopes.includes(scope);
}

/** Identity of an anonymous client: Cloudflare's `CF-Connecting-IP`. */
export const anonymousId = (ip: string | undefined): string => `ip:${ip ?? "unknown"}`;
