import type { DependencyCall } from "../dependencies/calls";
import type { Database } from "./database";
import type { Keyset } from "./keyset-cursor";
import { UserRepository, type User } from "./users";

/** Rows fetched per query while exporting: one round trip each, one page in memory (as the product export). */
export const USER_EXPORT_PAGE_SIZE = 500;
/** All attempts at one page stop after this (the export as a whole has no deadline). */
const PAGE_BUDGET_MS = 10_000;

/**
 * Every user as NDJSON, newest first, streamed page by page by keyset, exactly as the
 * product export streams products: the next page is read only when the client has taken
 * the previous one, so memory holds one page whatever the table's size and a slow client
 * slows the reads; when the client goes away the stream is cancelled and the query in
 * flight aborted. `toJson` decides what each line shows (the fields `GET /users` shows).
 *
 * Rows inserted while the export runs appear only if they sort after the current position:
 * keyset paging never repeats or skips a row that existed when the export began.
 */
export function userExportStream(db: DependencyCall<Database>, toJson: (user: User) => unknown): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after: Keyset | undefined;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const page = await db((sql) => new UserRepository(sql).page(USER_EXPORT_PAGE_SIZE, after), {
          idempotent: true,
          budgetMs: PAGE_BUDGET_MS,
        });
        const lines = page.items.map((user) => `${JSON.stringify(toJson(user))}\n`).join("");
        if (lines) controller.enqueue(encoder.encode(lines));
        if (page.next === null) controller.close();
        else after = page.next;
      },
    },
    { highWaterMark: 0 },
  );
}
