import type { DependencyCall } from "../dependencies/calls";
import type { Database } from "./database";
import type { Keyset, KeysetPage } from "./keyset-cursor";

/** Rows fetched per query while exporting: one round trip each, one page in memory. */
export const EXPORT_PAGE_SIZE = 500;
/** All attempts at one page stop after this (the export as a whole has no deadline). */
const PAGE_BUDGET_MS = 10_000;

/**
 * Every row a keyset-paged query reads, as NDJSON, streamed page by page (`GET
 * /products/export`, `GET /users/export`). The next page is read only when the client has
 * taken the previous one (pull-based, no high-water mark): memory holds one page whatever
 * the table's size, and a slow client slows the reads instead of filling a buffer. When the
 * client goes away, the stream is cancelled and the query in flight aborted. `toJson`
 * decides what each line shows.
 *
 * Rows inserted while the export runs appear only if they sort after the current position:
 * keyset paging never repeats or skips a row that existed when the export began.
 *
 * @example
 * keysetExportStream(db, (sql, size, after) => new ProductRepository(sql).list(size, after), toJson);
 */
export function keysetExportStream<T>(
  db: DependencyCall<Database>,
  readPage: (sql: Database, size: number, after: Keyset | undefined) => Promise<KeysetPage<T>>,
  toJson: (row: T) => unknown,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: Keyset | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const page = await db((sql) => readPage(sql, EXPORT_PAGE_SIZE, after), { idempotent: true, budgetMs: PAGE_BUDGET_MS });
        const lines = page.items.map((row) => `${JSON.stringify(toJson(row))}\n`).join("");
        if (lines) controller.enqueue(encoder.encode(lines));
        if (page.next === null) controller.close();
        else after = page.next;
      },
    },
    { highWaterMark: 0 },
  );
}
