import { NeonDbError } from "@neondatabase/serverless";
import { z } from "zod";
import type { Database } from "./database";
import { isUniqueViolation } from "./database";
import { ConflictError } from "./errors";
import { rowsAfter, toPage, type Keyset, type KeysetPage } from "./keyset-cursor";

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

/** Why a row of a batch was refused by what is stored, or by an earlier row of the same batch. */
export type RowConflict =
  | { row: number; reason: "taken" }
  | { row: number; reason: "repeated"; firstRow: number };

/** What `createMany` did: every user created, in the order given, or nothing and why. */
export type BatchCreation = { created: User[] } | { conflicts: RowConflict[] };

const ConflictRow = z.object({ ord: z.number().int(), taken: z.boolean(), first_row: z.number().int().nullable() });

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

  /** Newest first, by keyset (see keyset-cursor.ts): what the export reads, page by page. */
  async page(limit: number, after?: Keyset): Promise<KeysetPage<User>> {
    const rows = parse(await this.#sql`
      SELECT ${this.#sql.unsafe(COLUMNS)} FROM users
      WHERE ${rowsAfter(this.#sql, after)}
      ORDER BY created_at DESC, id DESC
      LIMIT ${limit + 1}`);
    return toPage(rows, limit);
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

  /**
   * Creates every user or none, in one transaction and one round trip. Its first statement
   * finds the rows that cannot be written: an email an existing user has (whatever its
   * case), or one an earlier row of the batch has; its second inserts every row only if
   * there is none. Both read one snapshot (REPEATABLE READ), so what the first reports is
   * exactly why the second wrote nothing.
   *
   * A user created by someone else after that snapshot with one of these emails makes the
   * insert fail (a unique violation, or a serialization failure): the batch is then looked
   * at once more, in a new transaction that sees that user and reports the row. So a
   * retried batch whose first attempt did commit reports every row as taken, never writes
   * a user twice.
   */
  async createMany(users: NewUser[]): Promise<BatchCreation> {
    try {
      return await this.#createMany(users);
    } catch (error) {
      if (!lostRace(error)) throw error;
    }
    try {
      return await this.#createMany(users);
    } catch (error) {
      throw lostRace(error) ? new ConflictError("Users with these emails were being created at the same time; retry the batch.") : error;
    }
  }

  async #createMany(users: NewUser[]): Promise<BatchCreation> {
    const emails = users.map((user) => user.email);
    const names = users.map((user) => user.name);
    const ords = users.map((_, i) => i);
    const [conflicts = [], inserted = []] = await this.#sql.transaction(
      (sql) => [
        sql`
          WITH batch AS (SELECT * FROM unnest(${emails}::text[], ${ords}::int[]) AS b(email, ord))
          SELECT b.ord,
                 EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = lower(b.email)) AS taken,
                 (SELECT min(e.ord) FROM batch e WHERE lower(e.email) = lower(b.email) AND e.ord < b.ord) AS first_row
          FROM batch b
          WHERE EXISTS (SELECT 1 FROM users u WHERE lower(u.email) = lower(b.email))
             OR EXISTS (SELECT 1 FROM batch e WHERE lower(e.email) = lower(b.email) AND e.ord < b.ord)
          ORDER BY b.ord`,
        sql`
          WITH batch AS (SELECT * FROM unnest(${emails}::text[], ${names}::text[], ${ords}::int[]) AS b(email, name, ord))
          INSERT INTO users (email, name)
          SELECT email, name FROM batch
          WHERE NOT EXISTS (SELECT 1 FROM batch b JOIN users u ON lower(u.email) = lower(b.email))
            AND NOT EXISTS (SELECT 1 FROM batch b JOIN batch e ON lower(e.email) = lower(b.email) AND e.ord < b.ord)
          ORDER BY ord
          RETURNING ${sql.unsafe(COLUMNS)}`,
      ],
      { isolationLevel: "RepeatableRead" },
    );
    const refused = conflicts.map((row) => ConflictRow.parse(row));
    if (refused.length > 0) {
      return {
        conflicts: refused.map(({ ord, taken, first_row: firstRow }): RowConflict =>
          taken || firstRow === null ? { row: ord, reason: "taken" } : { row: ord, reason: "repeated", firstRow },
        ),
      };
    }
    // RETURNING promises no order: put the users back in the order given (emails are unique here).
    const byEmail = new Map(parse(inserted).map((user) => [user.email, user]));
    const created = emails.map((email) => byEmail.get(email));
    if (created.some((user) => user === undefined)) throw new Error("INSERT … RETURNING gave fewer rows than the batch");
    return { created: created.filter((user): user is User => user !== undefined) };
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

/** A concurrent write took one of the batch's emails after its snapshot (23505, or 40001 under REPEATABLE READ). */
function lostRace(error: unknown): boolean {
  return (isUniqueViolation(error) && error.constraint === "users_email_key") || (error instanceof NeonDbError && error.code === "40001");
}

function duplicateEmailOr(error: unknown): unknown {
  return isUniqueViolation(error) && error.constraint === "users_email_key"
    ? new ConflictError("A user with this email already exists.")
    : error;
}
