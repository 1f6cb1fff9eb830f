import type { Database } from "./database";

/**
 * The position after a row in a list ordered by `(created_at DESC, id DESC)`: the keyset
 * that pages of products, jobs and API keys are read by, stable under concurrent inserts
 * and O(limit) at any depth. Repositories take and return keysets; clients only ever see
 * them signed (see `routes/cursor.ts`).
 */
export interface Keyset {
  /** ISO 8601, as Postgres gave it (millisecond precision). */
  createdAt: string;
  id: string;
}

/** A page of rows and where the next one starts (null on the last page). */
export interface KeysetPage<T> {
  items: T[];
  next: Keyset | null;
}

/**
 * Cuts the `limit + 1` rows a query fetched into a page: the extra row only says that
 * another page exists.
 */
export function toPage<T extends { created_at: Date; id: string }>(rows: T[], limit: number): KeysetPage<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, next: rows.length > limit && last ? { createdAt: last.created_at.toISOString(), id: last.id } : null };
}

/**
 * The `WHERE` condition for the rows after `keyset` in `(created_at DESC, id DESC)` order,
 * as a fragment to compose into a tagged query (sql`… WHERE ${rowsAfter(sql, keyset)} …`);
 * `TRUE` on the first page. One definition for every keyset list, so the row comparison
 * and its casts cannot drift apart between repositories.
 */
export function rowsAfter(sql: Database, keyset: Keyset | undefined): ReturnType<Database> {
  return keyset
    ? sql`(created_at, id) < (${keyset.createdAt}::timestamptz, ${keyset.id}::uuid)`
    : sql`TRUE`;
}
