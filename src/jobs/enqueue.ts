import { databaseCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import { JobRepository, type Job } from "../data/jobs";
import type { Bindings } from "../env";
import { MAX_QUEUE_DELAY_SECONDS, type JobDefinition } from "./define-job";
import { jsonBytes } from "../util/json-bytes";
import { findJsonHazard } from "../util/json-hazards";
import { MAX_MESSAGE_BYTES, type JobEnvelope } from "./envelope";
import { publishJobStatus } from "./job-events";
import { findJob, type JobName, type JobPayload } from "./registry";

export interface EnqueueOptions {
  /** Wait this long before the first attempt (0–43,200 s). */
  delaySeconds?: number;
  /** Same key, same job: a repeated call returns the first call's job and sends nothing. */
  idempotencyKey?: string;
  /**
   * Whose key it is: a route passes its caller and itself (e.g. `key:<id> POST /jobs`), so
   * keys never collide across clients. Code that enqueues leaves it empty.
   */
  idempotencyScope?: string;
  /** The request asking for it, so producer and consumer logs correlate. */
  requestId?: string;
  /** A job id chosen by the caller (e.g. one already used to name an uploaded file). */
  jobId?: string;
}

export interface Enqueued {
  job: Job;
  /** False when the idempotency key found an earlier job. */
  created: boolean;
}

/** Why a job was not enqueued; the routes turn each into a problem response. */
export class EnqueueError extends Error {
  override readonly name = "EnqueueError";
  constructor(
    readonly reason: "unknown-job" | "invalid-payload" | "too-large" | "invalid-delay" | "invalid-key" | "key-reused",
    message: string,
    readonly issues: { field: string; message: string }[] = [],
  ) {
    super(message);
  }
}

/**
 * Enqueues a job: validates the payload against the job's schema, records the job
 * (`queued`) in Postgres, then sends its envelope to the queue. A payload that does not
 * fit in one message is refused: put large data in R2 and pass its key.
 *
 * The row comes first, so a job that is running always has a row to claim. When the send
 * fails, the row is removed and the error thrown; when the Worker dies between the two,
 * the sweeper (see `sweep.ts`) sends the stranded job later.
 *
 * @example
 * await enqueue(scopeOf(c), "recompute-product-stats", { productId }, { requestId: c.get("requestId") });
 */
export async function enqueue<N extends JobName>(
  scope: DependencyScope,
  name: N,
  payload: JobPayload<N>,
  options: EnqueueOptions = {},
): Promise<Enqueued> {
  return enqueueUnchecked(scope, name, payload, options);
}

/** `enqueue` for a name and payload that come from outside (POST /jobs): both checked at run time. */
export async function enqueueUnchecked(
  scope: DependencyScope,
  name: string,
  payload: unknown,
  options: EnqueueOptions = {},
): Promise<Enqueued> {
  const job = admitJob(scope.env, name, payload, options);
  const recorded = await recordJob(scope, job);
  if (!recorded.created) return recorded;
  try {
    await scope.env.JOBS.send(job.envelope, { contentType: "json", delaySeconds: job.delaySeconds });
    publishJobStatus(scope, recorded.job, "queued");
  } catch (error) {
    await databaseCall(scope)((sql) => new JobRepository(sql).forget(job.envelope.jobId), { idempotent: true }).catch(() => undefined);
    throw error;
  }
  return recorded;
}

/** A job that passed every check, ready to be recorded, and the envelope that will carry it. */
export interface AdmittedJob {
  definition: JobDefinition;
  envelope: JobEnvelope;
  delaySeconds: number;
  idempotencyKey?: string;
  idempotencyScope?: string;
}

/**
 * Checks a job before anything is written: a registered name, a payload that is safe JSON
 * and fits the job's schema and the deployment's checks, a delay and key in range, and a
 * message that fits in the queue. Throws an EnqueueError saying which.
 */
export function admitJob(env: Bindings, name: string, payload: unknown, options: EnqueueOptions = {}): AdmittedJob {
  const definition = findJob(name);
  if (!definition) throw new EnqueueError("unknown-job", `There is no job named "${name}".`);
  // Before the schema: a payload nested deep enough could overflow its walk, and Postgres
  // refuses NUL and unpaired surrogates in jsonb.
  const hazard = findJsonHazard(payload);
  if (hazard) {
    const field = hazard.path === "(root)" ? "payload" : `payload.${hazard.path}`;
    throw new EnqueueError("invalid-payload", `The payload of "${name}" is invalid.`, [{ field, message: hazard.message }]);
  }
  const parsed = definition.schema.safeParse(payload);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({
      field: ["payload", ...issue.path].join("."),
      message: issue.message,
    }));
    throw new EnqueueError("invalid-payload", `The payload of "${name}" is invalid.`, issues);
  }
  const refusal = definition.check?.(parsed.data, env);
  if (refusal) {
    throw new EnqueueError("invalid-payload", `The payload of "${name}" is refused.`, [{ field: `payload.${refusal.field}`, message: refusal.message }]);
  }
  const delaySeconds = options.delaySeconds ?? 0;
  if (!Number.isInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_QUEUE_DELAY_SECONDS) {
    throw new EnqueueError("invalid-delay", `delaySeconds must be a whole number from 0 to ${String(MAX_QUEUE_DELAY_SECONDS)}.`);
  }
  const key = options.idempotencyKey;
  if (key !== undefined && (key.length < 1 || key.length > 255)) {
    throw new EnqueueError("invalid-key", "An Idempotency-Key is 1 to 255 characters.");
  }
  const envelope: JobEnvelope = {
    v: 1,
    jobId: options.jobId ?? crypto.randomUUID(),
    name,
    payload: parsed.data,
    attempt: 0,
    requestId: options.requestId ?? null,
    enqueuedAt: new Date().toISOString(),
  };
  const size = jsonBytes(envelope);
  if (size > MAX_MESSAGE_BYTES) {
    throw new EnqueueError(
      "too-large",
      `The job's message would be ${String(size)} bytes; a queue message holds at most ${String(MAX_MESSAGE_BYTES)}. Store large data in R2 and pass its key.`,
    );
  }
  return { definition, envelope, delaySeconds, idempotencyKey: key, idempotencyScope: options.idempotencyScope };
}

/**
 * Records an admitted job as `queued`, or finds the job an earlier call made with the same
 * id or idempotency key (never two). The same key with another payload is an EnqueueError.
 */
export async function recordJob(scope: DependencyScope, job: AdmittedJob): Promise<Enqueued> {
  const insertion = await databaseCall(scope)(
    (sql) =>
      new JobRepository(sql).insert({
        id: job.envelope.jobId,
        name: job.envelope.name,
        payload: job.envelope.payload,
        maxAttempts: job.definition.options.maxAttempts,
        idempotencyKey: job.idempotencyKey,
        idempotencyScope: job.idempotencyScope,
        requestId: job.envelope.requestId ?? undefined,
        delaySeconds: job.delaySeconds,
      }),
    // Safe to retry: the id is fixed, so a lost answer cannot make a second job.
    { idempotent: true },
  );
  if (!insertion.created && !insertion.samePayload) {
    throw new EnqueueError("key-reused", "This Idempotency-Key was already used for a different job or payload.");
  }
  return { job: insertion.job, created: insertion.created };
}

/** Sends a job's envelope again (a replay, or the sweeper); its row is already queued. */
export async function sendEnvelope(scope: DependencyScope, job: Job): Promise<void> {
  const envelope: JobEnvelope = {
    v: 1,
    jobId: job.id,
    name: job.name,
    payload: job.payload,
    attempt: job.attempts,
    requestId: job.request_id,
    enqueuedAt: new Date().toISOString(),
  };
  await scope.env.JOBS.send(envelope, { contentType: "json" });
  publishJobStatus(scope, job, "queued");
}
