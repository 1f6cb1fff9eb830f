import { z } from "zod";
import type { Database } from "./database";
import { isUniqueViolation } from "./database";
import { problems } from "../errors/problem";

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

const COLUMNS = "id, email, name, created_at, updated_at";
const parse = (rows: unknown[]): User[] => rows.map((row) => UserRow.parse(row));

/** Data access for users. Every method is one query, hence one round trip. */
export class UserRepository {
  readonly #sql: Database;

  constructor(sql: Database) {
    this.#sql = sql;
  }

  async get(id: string): Promise<User | undefined> {
    return parse(await this.#sql.query(`SELECT ${COLUMNS} FROM users WHERE id = $1`, [id]))[0];
  }

  /** Newest first; at most `limit`. */
  async list(limit: number): Promise<User[]> {
    return parse(await this.#sql.query(`SELECT ${COLUMNS} FROM users ORDER BY created_at DESC, id DESC LIMIT $1`, [limit]));
  }

  /**
   * The directory for GET /users-dict, id → name: the newest `limit` users, and whether
   * there were more (a bounded answer, whatever the table's size).
   */
  async directory(limit: number): Promise<{ names: Record<string, string>; truncated: boolean }> {
    const rows = await this.#sql.query("SELECT id, name FROM users ORDER BY created_at DESC, id DESC LIMIT $1", [limit + 1]);
    const names = Object.fromEntries(rows.slice(0, limit).map((row) => [String(row.id), String(row.name)]));
    return { names, truncated: rows.length > limit };
  }

  async create(user: NewUser): Promise<User> {
    const rows = await this.#sql
      .query(`INSERT INTO users (email, name) VALUES ($1, $2) RETURNING ${COLUMNS}`, [user.email, user.name])
      .catch((error: unknown) => {
        throw duplicateEmailOr(error);
      });
    const [created] = parse(rows);
    if (!created) throw new Error("INSERT … RETURNING gave no row");
    return created;
  }

  async update(id: string, changes: Partial<NewUser>): Promise<User | undefined> {
    const rows = await this.#sql
      .query(
        `UPDATE users SET email = COALESCE($2, email), name = COALESCE($3, name), updated_at = now()
         WHERE id = $1 RETURNING ${COLUMNS}`,
        [id, changes.email ?? null, changes.name ?? null],
      )
      .catch((error: unknown) => {
        throw duplicateEmailOr(error);
      });
    return parse(rows)[0];
  }

  async delete(id: string): Promise<boolean> {
    return (await this.#sql.query("DELETE FROM users WHERE id = $1 RETURNING id", [id])).length > 0;
  }
}

function duplicateEmailOr(error: unknown): unknown {
  return isUniqueViolation(error) && error.constraint === "users_email_key"
    ? problems.conflict("A user with this email already exists.")
    : error;
}
