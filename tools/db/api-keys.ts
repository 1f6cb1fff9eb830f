import type { NeonQueryFunction } from "@neondatabase/serverless";
import { generateApiKey, hashApiKey } from "../../src/auth/api-key.ts";
import { SCOPES, type Scope } from "../../src/auth/scopes.ts";

export interface CreatedKey {
  id: string;
  prefix: string;
  /** The secret: shown once. */
  key: string;
}

/**
 * Creates an API key straight in the database (the Worker's `POST /admin/keys` does the
 * same through the API), for local use and tests: the key is minted and hashed by the
 * Worker's own code, so it verifies exactly like one made by the API.
 */
export async function createApiKey(
  sql: NeonQueryFunction<false, false>,
  options: { name: string; scopes: readonly Scope[]; expiresInDays?: number },
): Promise<CreatedKey> {
  const { key, prefix, hash } = await generateApiKey();
  const expiresAt = options.expiresInDays === undefined ? null : new Date(Date.now() + options.expiresInDays * 86_400_000).toISOString();
  const [row] = await sql.query(
    `INSERT INTO api_keys (name, prefix, secret_hash, scopes, expires_at) VALUES ($1, $2, $3, $4::text[], $5::timestamptz) RETURNING id`,
    [options.name, prefix, hash, options.scopes, expiresAt],
  );
  return { id: String(row?.id), prefix, key };
}

/** True when `key` is a key the database knows, neither revoked nor expired. */
export async function isUsableKey(sql: NeonQueryFunction<false, false>, key: string): Promise<boolean> {
  const rows = await sql.query(
    "SELECT 1 FROM api_keys WHERE secret_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())",
    [await hashApiKey(key)],
  );
  return rows.length > 0;
}

/** Parses `--scopes a,b` (or `all`) into scopes, refusing names that are not scopes. */
export function parseScopes(text: string): Scope[] {
  if (text.trim() === "all") return [...SCOPES];
  const scopes = text
    .split(",")
    .map((scope) => scope.trim())
    .filter((scope) => scope !== "");
  const unknown = scopes.filter((scope) => !(SCOPES as readonly string[]).includes(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new Error(`Unknown scope(s): ${unknown.join(", ") || "(none given)"}. Scopes: ${SCOPES.join(", ")}, or "all".`);
  }
  return scopes as Scope[];
}
