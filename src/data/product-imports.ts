import { NeonDbError } from "@neondatabase/serverless";
import { z } from "zod";
import type { Database } from "./database";

/** The import's progress, checkpointed in the job's row with every batch. */
export const ImportProgressSchema = z.object({
  /** The last line of the file whose record is accounted for: a resumed attempt starts after it. */
  line: z.number().int(),
  records: z.number().int(),
  inserted: z.number().int(),
  duplicates: z.number().int(),
  invalid: z.number().int(),
  stages: z.record(z.string(), z.object({ in: z.number(), out: z.number(), rejected: z.number() })),
  /** The first errors, by line (at most MAX_ROW_ERRORS); the counts are always complete. */
  errors: z.array(z.object({ line: z.number().int(), stage: z.string(), error: z.string() })),
});
export type ImportProgress = z.infer<typeof ImportProgressSchema>;

export const MAX_ROW_ERRORS = 100;

export interface ImportRow {
  line: number;
  name: string;
  price_cents: number;
  stock: number;
}

/** The job's claim was taken over (its lease ran out): this attempt must stop writing. */
export class LeaseLostError extends Error {
  override readonly name = "LeaseLostError";
}

/**
 * Inserts one batch of imported products and checkpoints the job's progress, in one
 * transaction and one round trip, so a crash can never count a batch twice or lose one:
 * either both the rows and the checkpoint are written, or neither is.
 *
 * The first statement locks the job's row and fails (division by zero, SQLSTATE 22012)
 * unless this attempt still holds the claim, so a consumer whose lease ran out cannot
 * write behind the back of the one that took over. Names that already exist are skipped
 * (`ON CONFLICT DO NOTHING`) and reported as duplicates, with their lines, in the same
 * statement that inserts. `rows` must not repeat a name (the caller drops repeats).
 */
export async function insertImportBatch(
  sql: Database,
  job: { id: string; leaseToken: string },
  rows: ImportRow[],
  progress: ImportProgress,
): Promise<ImportProgress> {
  const room = Math.max(0, MAX_ROW_ERRORS - progress.errors.length);
  try {
    const names = rows.map((r) => r.name);
    const prices = rows.map((r) => r.price_cents);
    const stocks = rows.map((r) => r.stock);
    const lines = rows.map((r) => r.line);
    const before = JSON.stringify(progress);
    const results = await sql.transaction([
      sql`
        SELECT 1 / count(*)::int AS held FROM (
          SELECT 1 FROM jobs WHERE id = ${job.id} AND lease_token = ${job.leaseToken} AND status = 'running' FOR UPDATE
        ) AS claim`,
      sql`
        WITH batch AS (
          SELECT * FROM unnest(${names}::text[], ${prices}::int[], ${stocks}::int[], ${lines}::int[]) AS b(name, price_cents, stock, line)
        ), inserted AS (
          INSERT INTO products (name, price_cents, stock)
          SELECT name, price_cents, stock FROM batch
          ON CONFLICT (name) DO NOTHING
          RETURNING name
        ), duplicate AS (
          SELECT line, name FROM batch WHERE name NOT IN (SELECT name FROM inserted)
        ), reported AS (
          SELECT coalesce(jsonb_agg(jsonb_build_object(
                   'line', line, 'stage', 'insert',
                   'error', 'duplicate: a product named "' || name || '" already exists') ORDER BY line), '[]'::jsonb) AS errors
          FROM (SELECT * FROM duplicate ORDER BY line LIMIT ${room}) AS first
        )
        UPDATE jobs SET
          progress = ${before}::jsonb || jsonb_build_object(
            'inserted', (${before}::jsonb->>'inserted')::int + (SELECT count(*) FROM inserted),
            'duplicates', (${before}::jsonb->>'duplicates')::int + (SELECT count(*) FROM duplicate),
            'errors', (${before}::jsonb->'errors') || (SELECT errors FROM reported)),
          updated_at = now()
        WHERE id = ${job.id}
        RETURNING progress`,
    ]);
    const saved = z.array(z.object({ progress: ImportProgressSchema })).parse(results[1])[0];
    if (!saved) throw new Error("The import checkpoint wrote no row");
    return saved.progress;
  } catch (error) {
    if (error instanceof NeonDbError && error.code === "22012") {
      throw new LeaseLostError(`Job ${job.id} is no longer held by this attempt`, { cause: error });
    }
    throw error;
  }
}

/** Checkpoints progress without rows (a batch that was all invalid lines). */
export async function saveImportProgress(sql: Database, job: { id: string; leaseToken: string }, progress: ImportProgress): Promise<void> {
  const rows = await sql`
    UPDATE jobs SET progress = ${JSON.stringify(progress)}::jsonb, updated_at = now()
    WHERE id = ${job.id} AND lease_token = ${job.leaseToken} AND status = 'running' RETURNING id`;
  if (rows.length === 0) throw new LeaseLostError(`Job ${job.id} is no longer held by this attempt`);
}
