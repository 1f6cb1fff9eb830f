import { z } from "zod";
import { defineJob, PermanentJobError, type JobContext } from "../define-job";
import { csvRecords } from "../import/csv-records";
import { numberedLines } from "../import/ndjson-lines";
import { productRowPipeline, type RawRecord } from "../import/product-rows";
import {
  ImportProgressSchema,
  insertImportBatch,
  MAX_ROW_ERRORS,
  saveImportProgress,
  type ImportProgress,
  type ImportRow,
} from "../../data/product-imports";

export const IMPORT_FORMATS = ["csv", "ndjson"] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

const Payload = z.strictObject({
  /** The uploaded file in the IMPORTS bucket (POST /imports puts it there). */
  objectKey: z.string().min(1).max(1024),
  format: z.enum(IMPORT_FORMATS),
});

/** Rows per INSERT: one round trip each, small enough to stay far under a statement's limits. */
export const IMPORT_BATCH_SIZE = 500;

/** A record of the file, or why its line could not be read as one. */
type NumberedRecord = { line: number; record: RawRecord } | { line: number; error: string };

/**
 * Imports products from a CSV or NDJSON file in R2. The file streams from the bucket
 * through the stages (validate → enrich → transform, each counted) and into Postgres in
 * batches of IMPORT_BATCH_SIZE, one round trip per batch. A bad row is reported with its
 * line and never stops the import; an existing name is a duplicate, not an overwrite.
 *
 * Every batch commits with a checkpoint of the progress (see `insertImportBatch`): an
 * attempt that fails halfway is resumed by the next one after the last committed line, so
 * the final counts are exact and no row is inserted twice. The file is deleted once the
 * import succeeded; a dead import keeps it for a replay.
 */
export const importProducts = defineJob(
  "import-products",
  Payload,
  async ({ objectKey, format }, ctx) => {
    const object = await ctx.env.IMPORTS.get(objectKey);
    if (!object) throw new PermanentJobError(`The import file ${objectKey} does not exist`);
    const progress = await runImport(records(object.body, format), ctx);
    ctx.scope.waitUntil(ctx.env.IMPORTS.delete(objectKey));
    return progress;
  },
  // Long files take time; a consumer invocation may run for 15 minutes.
  { maxAttempts: 5, initialDelaySeconds: 10, timeoutMs: 10 * 60_000 },
);

async function runImport(source: AsyncIterable<NumberedRecord>, ctx: JobContext): Promise<ImportProgress> {
  const resumed = ImportProgressSchema.safeParse(ctx.progress);
  let progress: ImportProgress = resumed.success
    ? resumed.data
    : { line: 0, records: 0, inserted: 0, duplicates: 0, invalid: 0, stages: {}, errors: [] };
  const pipeline = productRowPipeline();
  pipeline.restore(progress.stages);
  if (resumed.success) ctx.log.info("import resumed", { afterLine: progress.line });

  let batch: ImportRow[] = [];
  let batchNames = new Map<string, number>();
  let invalidSinceCheckpoint: ImportProgress["errors"] = [];
  let lastLine = progress.line;

  const flush = async () => {
    const base: ImportProgress = {
      ...progress,
      line: lastLine,
      stages: pipeline.counters(),
      errors: [...progress.errors, ...invalidSinceCheckpoint].slice(0, MAX_ROW_ERRORS),
    };
    const job = { id: ctx.jobId, leaseToken: ctx.leaseToken };
    progress =
      batch.length > 0
        ? await ctx.db((sql) => insertImportBatch(sql, job, batch, base), { idempotent: false })
        : (await ctx.db((sql) => saveImportProgress(sql, job, base), { idempotent: true }), base);
    batch = [];
    batchNames = new Map();
    invalidSinceCheckpoint = [];
  };

  for await (const item of source) {
    const { line } = item;
    if (line <= progress.line) continue; // committed by an earlier attempt
    ctx.signal.throwIfAborted();
    lastLine = line;
    progress.records++;
    const outcome = "error" in item ? { ok: false as const, stage: "parse", error: item.error } : pipeline.run(item.record);
    if (!outcome.ok) {
      progress.invalid++;
      invalidSinceCheckpoint.push({ line, stage: outcome.stage, error: outcome.error });
    } else if (batchNames.has(outcome.value.name)) {
      // A repeat inside one batch would make the batch's INSERT ambiguous; report it here.
      progress.duplicates++;
      invalidSinceCheckpoint.push({
        line,
        stage: "insert",
        error: `duplicate: the name "${outcome.value.name}" is already on line ${String(batchNames.get(outcome.value.name))}`,
      });
    } else {
      batchNames.set(outcome.value.name, line);
      batch.push({ line, ...outcome.value });
    }
    // Sequential on purpose: each batch's checkpoint must commit before the next batch.
    if (batch.length >= IMPORT_BATCH_SIZE) await flush();
  }
  if (batch.length > 0 || lastLine !== progress.line) await flush();
  // Duplicates found by the database are reported after the batch's other errors: by line.
  return { ...progress, errors: progress.errors.toSorted((a, b) => a.line - b.line) };
}

/** The file's records, numbered by the line they start on. */
async function* records(body: ReadableStream, format: ImportFormat): AsyncGenerator<NumberedRecord> {
  const text = body.pipeThrough(new TextDecoderStream());
  if (format === "ndjson") {
    for await (const { line, text: json } of text.pipeThrough(numberedLines())) yield { line, ...parseJsonObject(json) };
    return;
  }
  let header: string[] | undefined;
  for await (const { line, fields } of text.pipeThrough(csvRecords())) {
    if (!header) {
      header = fields.map((name) => name.trim().toLowerCase());
      if (!header.includes("name")) throw new PermanentJobError("The CSV header must name the columns, including name");
      continue;
    }
    const columns = header;
    if (fields.length !== columns.length) {
      yield { line, error: `expected ${String(columns.length)} fields, found ${String(fields.length)}` };
      continue;
    }
    yield { line, record: Object.fromEntries(columns.map((name, i) => [name, fields[i]])) };
  }
}

function parseJsonObject(json: string): { record: RawRecord } | { error: string } {
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return { record: value as RawRecord };
    return { error: "each line must be a JSON object" };
  } catch {
    return { error: "not valid JSON" };
  }
}
