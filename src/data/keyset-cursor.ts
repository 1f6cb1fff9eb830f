import { z } from "zod";
import { problems } from "../errors/problem";

/**
 * The position after a row in a list ordered by `(created_at DESC, id DESC)`: the keyset
 * that pages of products and jobs are read by, stable under concurrent inserts and O(limit)
 * at any depth. Clients see it as an opaque, URL-safe string.
 */
export interface Keyset {
  createdAt: string;
  id: string;
}

const KeysetSchema = z.object({ createdAt: z.iso.datetime(), id: z.uuid() });

export function encodeCursor(row: { created_at: Date; id: string }): string {
  const json = JSON.stringify({ createdAt: row.created_at.toISOString(), id: row.id });
  return btoa(json).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The keyset a cursor carries; a cursor that was not ours is a 400 naming the field. */
export function decodeCursor(cursor: string): Keyset {
  try {
    const json = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    return KeysetSchema.parse(JSON.parse(json));
  } catch {
    throw problems.validation([
      { in: "query", field: "cursor", message: "Invalid cursor: pass back a nextCursor value unchanged." },
    ]);
  }
}
