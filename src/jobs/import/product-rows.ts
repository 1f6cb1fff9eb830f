import { z } from "zod";
import { hasInvalidText, INVALID_TEXT_MESSAGE } from "../../util/json-hazards";
import { pass, Pipeline, reject, type StageResult } from "./pipeline";

/** A record as read from the file: CSV fields by header name, or one NDJSON object. */
export type RawRecord = Record<string, unknown>;

/** A row ready to insert. */
export interface ImportedProduct {
  name: string;
  price_cents: number;
  stock: number;
}

const MAX_INT = 2_147_483_647;
/** A whole number, from JSON or from CSV text. */
const integer = z.preprocess(
  (value) => (typeof value === "string" && value.trim() !== "" ? Number(value) : value),
  z.number().int().min(0).max(MAX_INT),
);
/** Blank CSV cells count as absent. */
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((value) => (value === "" || value === null ? undefined : value), schema.optional());

const Validated = z
  .object({
    name: z
      .string()
      .trim()
      .min(1, "name is required")
      .max(200)
      .refine((name) => !hasInvalidText(name), INVALID_TEXT_MESSAGE),
    price_cents: optional(integer),
    /** A price in currency units, e.g. "12.50", for files that do not carry cents. */
    price: optional(z.union([z.number(), z.string().regex(/^\d+(\.\d{1,2})?$/, "price must look like 12.50")])),
    stock: optional(integer),
  })
  .refine((row) => row.price_cents !== undefined || row.price !== undefined, {
    message: "required (or give price)",
    path: ["price_cents"],
  });
type Validated = z.infer<typeof Validated>;

/** validate: the record has the fields a product needs, each of the right kind. */
function validate(record: RawRecord): StageResult<Validated> {
  const result = Validated.safeParse(record);
  if (result.success) return pass(result.data);
  const issue = result.error.issues[0];
  return reject(issue ? `${issue.path.join(".") || "(row)"}: ${issue.message}` : "invalid row");
}

/** enrich: fills in what the file left out (stock 0, cents from a decimal price), normalises the name. */
function enrich(row: Validated): StageResult<ImportedProduct> {
  const priceCents = row.price_cents ?? Math.round(Number(row.price) * 100);
  return pass({
    // One space between words, one Unicode form: "Pour‑over  kettle" and its twins are one name.
    name: row.name.normalize("NFC").replace(/\s+/g, " "),
    price_cents: priceCents,
    stock: row.stock ?? 0,
  });
}

/** transform: the last checks against the table's constraints, before it costs a round trip. */
function transform(row: ImportedProduct): StageResult<ImportedProduct> {
  if (row.price_cents > MAX_INT) return reject("price_cents: too large");
  return pass(row);
}

/** The import's stages, with fresh counters. */
export function productRowPipeline() {
  return Pipeline.start<RawRecord>().pipe("validate", validate).pipe("enrich", enrich).pipe("transform", transform);
}
