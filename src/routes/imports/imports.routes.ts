import { createRoute, z } from "@hono/zod-openapi";
import { security } from "../../auth/access";
import { budget } from "../../middleware/deadline";
import { authErrors, json, problem } from "../schemas";
import { JobSchema } from "../jobs/jobs.routes";

/** Media types an import file may be sent as, and the format each means. */
export const IMPORT_MEDIA_TYPES = {
  "text/csv": "csv",
  "application/x-ndjson": "ndjson",
  "application/ndjson": "ndjson",
} as const;

const file = { schema: z.string().openapi({ format: "binary" }) };

export const createImport = createRoute({
  method: "post",
  path: "/imports",
  tags: ["jobs"],
  summary: "Upload a CSV or NDJSON file of products to import in the background",
  description:
    "The file streams into R2 and an `import-products` job is queued; follow it at `Location`. " +
    "CSV needs a header row naming `name` and `price_cents` (or `price`), optionally `stock`; NDJSON, " +
    "one object per line with the same fields. Send `Content-Length`; the limit is `IMPORT_MAX_BYTES`.",
  security: security.requires("jobs:write"),
  // An upload may take longer than an ordinary request's budget.
  ...budget("long"),
  request: {
    body: { required: true, content: Object.fromEntries(Object.keys(IMPORT_MEDIA_TYPES).map((type) => [type, file])) },
  },
  responses: {
    202: { ...json(JobSchema, "The import job, queued; `Location` is where to follow it"), headers: z.object({ Location: z.string() }) },
    ...authErrors,
    411: problem("No Content-Length"),
    413: problem("File over IMPORT_MAX_BYTES"),
    415: problem("Not text/csv or application/x-ndjson"),
    422: problem("Idempotency-Key already used for another job"),
    503: problem("The queue, the bucket or the database is unavailable"),
  },
});
