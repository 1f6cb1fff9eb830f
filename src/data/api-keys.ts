import { z } from "zod";
import type { Database } from "./database";
import { rowsAfter, toPage, type Keyset, type KeysetPage } from "./keyset-cursor";

const ApiKeyRow = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  created_at: z.date(),
  expires_at: z.date().nullable(),
  revoked_at: z.date().nullable(),
  last_used_at: z.date().nullable(),
});
/** A key as stored, without its hash: what operators see. */
export type ApiKey = z.infer<typeof ApiKeyRow>;

export interface NewApiKeyRow {
  name: string;
  prefix: string;
  hash: string;
  scopes: string[];
  expiresAt: Date | null;
}

/** The columns of a key without its hash: a constant, interpolated raw with `sql.unsafe` (never a value). */
const COLUMNS = "id, name, prefix, scopes, created_at, expires_at, revoked_at, last_used_at";

const parseRows = (rows: unknown[]): ApiKey[] => rows.map((row) => ApiKeyRow.parse(row));

/** Data access for API keys. Every method is one query, hence one round trip. */
export class ApiKeyRepository {
  readonly #sql: Database;

  constructor(sql: Database) {
    this.#sql = sql;
  }

  async create(key: NewApiKeyRow): Promise<ApiKey> {
    const [created] = parseRows(await this.#sql`
      INSERT INTO api_keys (name, prefix, secret_hash, scopes, expires_at)
      VALUES (${key.name}, ${key.prefix}, ${key.hash}, ${key.scopes}::text[], ${key.expiresAt?.toISOString() ?? null}::timestamptz)
      RETURNING ${this.#sql.unsafe(COLUMNS)}`);
    if (!created) throw new Error("INSERT … RETURNING gave no row");
    return created;
  }

  async get(id: string): Promise<ApiKey | undefined> {
    return parseRows(await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)} FROM api_keys WHERE id = ${id}`)[0];
  }

  /** The key with this hash, revoked and expired ones included (the caller decides). */
  async findByHash(hash: string): Promise<ApiKey | undefined> {
    return parseRows(await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)}
      FROM api_keys WHERE secret_hash = ${hash}`)[0];
  }

  /** Newest first, by keyset. */
  async list(limit: number, after?: Keyset): Promise<KeysetPage<ApiKey>> {
    const rows = parseRows(await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)} FROM api_keys
      WHERE ${rowsAfter(this.#sql, after)}
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit + 1}`);
    return toPage(rows, limit);
  }

  /**
   * Revokes a key (a repeat keeps the first time) and returns it with its hash, so the
   * caller can drop the cached verification; undefined when no such key exists.
   */
  async revoke(id: string): Promise<{ key: ApiKey; hash: string } | undefined> {
    const rows = await this.#sql`
      UPDATE api_keys SET revoked_at = COALESCE(revoked_at, now()) WHERE id = ${id}
      RETURNING ${this.#sql.unsafe(COLUMNS)}, secret_hash`;
    const [row] = rows;
    const [key] = parseRows(rows);
    if (!row || !key) return undefined;
    return { key, hash: z.string().parse(row.secret_hash) };
  }

  /** Records when keys were last used, for many keys in one statement; never moves a time back. */
  async touch(lastUsed: { id: string; at: Date }[]): Promise<void> {
    if (lastUsed.length === 0) return;
    await this.#sql`
      UPDATE api_keys SET last_used_at = GREATEST(last_used_at, used.at)
      FROM unnest(${lastUsed.map((entry) => entry.id)}::uuid[], ${lastUsed.map((entry) => entry.at.toISOString())}::timestamptz[]) AS used(id, at)
      WHERE api_keys.id = used.id`;
  }
}
