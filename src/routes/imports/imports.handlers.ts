import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../app-env";
import { readConfig } from "../../config/config";
import { scopeOf } from "../../middleware/dependencies";
import { enqueue } from "../../jobs/enqueue";
import { Problem, problems } from "../../errors/problem";
import { raceAbort } from "../../resilience";
import { idempotencyScope } from "../../middleware/identity";
import { enqueueProblem, jobJson } from "../jobs/jobs.handlers";
import { IMPORT_MEDIA_TYPES, type createImport } from "./imports.routes";

export const create: RouteHandler<typeof createImport, AppEnv> = async (c) => {
  const mediaType = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
  if (!Object.hasOwn(IMPORT_MEDIA_TYPES, mediaType)) {
    throw new Problem({
      title: "Unsupported Media Type",
      status: 415,
      detail: `Send the file as ${Object.keys(IMPORT_MEDIA_TYPES).join(" or ")}.`,
    });
  }
  const format = IMPORT_MEDIA_TYPES[mediaType as keyof typeof IMPORT_MEDIA_TYPES];
  const length = Number(c.req.header("Content-Length"));
  const body = c.req.raw.body;
  if (!body || !Number.isInteger(length) || c.req.header("Transfer-Encoding")) {
    // R2 stores a stream only when its length is known up front; a length also lets an
    // oversized file be refused before a byte of it is read.
    throw new Problem({ title: "Length Required", status: 411, detail: "Send the file with a Content-Length header." });
  }
  const maxBytes = readConfig(c.env).IMPORT_MAX_BYTES;
  if (length > maxBytes) throw problems.payloadTooLarge(maxBytes);

  const jobId = crypto.randomUUID();
  const objectKey = `imports/${jobId}.${format}`;
  // R2 takes no AbortSignal: the deadline bounds how long the request waits for it.
  await raceAbort(c.env.IMPORTS.put(objectKey, body, { httpMetadata: { contentType: mediaType } }), c.get("signal"));
  const dropFile = () => c.executionCtx.waitUntil(c.env.IMPORTS.delete(objectKey));
  const { job, created } = await enqueue(
    scopeOf(c),
    "import-products",
    { objectKey, format },
    { jobId, idempotencyKey: c.req.header("Idempotency-Key"), idempotencyScope: idempotencyScope(c), requestId: c.get("requestId") },
  ).catch((error: unknown) => {
    dropFile();
    return enqueueProblem(error);
  });
  // A repeated key: the first upload's job stands, and this copy of the file is not needed.
  if (!created) {
    dropFile();
    c.header("Idempotent-Replayed", "true");
  }
  c.header("Location", `/jobs/${job.id}`);
  return c.json(jobJson(job), 202);
};
