import { z } from "zod";
import type { Database } from "./database";
import { isUniqueViolation } from "./database";
import { ConflictError } from "./errors";

const UserRow = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  created_at: z.date(),
  updated_at: z.date(),
});
export type User = z.infer<typeof UserRow>;
export interface NewUser {
  email: string;
  name: string;
}

/** The columns every query returns: a constant, interpolated raw with `sql.unsafe` (never a value). */
const COLUMNS = "id, email, name, created_at, updated_at";
const parse = (rows: unknown[]): User[] => rows.map((row) => UserRow.parse(row));

/** Data access for users. Every method is one query, hence one round trip. */
export class UserRepository {
  readonly #sql: Database;

  constructor(sql: Database) {
    this.#sql = sql;
  }

  async get(id: string): Promise<User | undefined> {
    return parse(await this.#sql`SELECT ${this.#sql.unsafe(COLUMNS)} FROM users WHERE id = ${id}`)[0];
  }

  /** Newest first; at most `limit`. */
  async list(limit: number): Promise<User[]> {
    return parse(await this.#sql`SELECT ${this.#sql.unsafe(COLUMNS)} FROM users ORDER BY created_at DESC, id DESC LIMIT ${limit}`);
  }

  /**
   * The directory for GET /users-dict, id → name: the newest `limit` users, and whether
   * there were more (a bounded answer, whatever the table's size).
   */
  async directory(limit: number): Promise<{ names: Record<string, string>; truncated: boolean }> {
    const rows = await this.#sql`SELECT id, name FROM users ORDER BY created_at DESC, id DESC LIMIT ${limit + 1}`;
    const names = Object.fromEntries(rows.slice(0, limit).map((row) => [String(row.id), String(row.name)]));
    return { names, truncated: rows.length > limit };
  }

  async create(user: NewUser): Promise<User> {
    const rows = await this.#sql`INSERT INTO users (email, name) VALUES (${user.email}, ${user.name}) RETURNING ${this.#sql.unsafe(COLUMNS)}`
      .catch((error: unknown) => {
        throw duplicateEmailOr(error);
      });
    const [created] = parse(rows);
    if (!created) throw new Error("INSERT … RETURNING gave no row");
    return created;
  }

  async update(id: string, changes: Partial<NewUser>): Promise<User | undefined> {
    const rows = await this.#sql`
      UPDATE users SET email = COALESCE(${changes.email ?? null}, email), name = COALESCE(${changes.name ?? null}, name), updated_at = now()
      WHERE id = ${id} RETURNING ${this.#sql.unsafe(COLUMNS)}`
      .catch((error: unknown) => {
        throw duplicateEmailOr(error);
      });
    return parse(rows)[0];
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#sql`DELETE FROM users WHERE id = ${id} RETURNING id`).length > 0;
  }
}

function duplicateEmailOr(error: unknown): unknown {
  return isUniqueViolation(error) && error.constraint === "users_email_key"
    ? new ConflictError("A user with this email already exists.")
    : error;
}
