import type { Bindings } from "../env";
import { readConfig } from "../config/config";
import { databaseCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import { JobRepository, type ClaimResult, type Completion } from "../data/jobs";
import { LeaseLostError } from "../data/product-imports";
import { createDeadline, mapConcurrent, raceAbort } from "../resilience";
import { PermanentJobError, type JobDefinition } from "./define-job";
import { adoptJobs, type Adoption } from "./adopt";
import { JobEnvelopeSchema, jsonSafe, ProducerMessageSchema, type JobEnvelope, type MalformedLetter } from "./envelope";
import { publishJobStatuses, type JobStatusChange } from "./job-events";
import { jobLogger } from "./job-logger";
import { findJob } from "./registry";
import { retryDelaySeconds } from "./retry-delay";
import { describeError, log } from "../observability/logger";
import { metrics, type JobRunOutcome } from "../observability/metrics-buffer";
import { findJsonHazard } from "../util/json-hazards";

/** A claim lasts the job's timeout plus this, so a live attempt is never taken for a dead one. */
const LEASE_MARGIN_MS = 60_000;
/** When the database cannot be reached to claim or record jobs, messages come back after this. */
const DATABASE_DOWN_DELAY_SECONDS = 30;
/** A consumer invocation may run 15 minutes; stop a little before. */
const INVOCATION_BUDGET_MS = 14 * 60_000;

/** A message that carries a job this consumer knows. */
interface Delivery {
  message: Message;
  envelope: JobEnvelope;
  definition: JobDefinition;
}

/** How a run ended, and how long it took (ms). */
type Outcome =
  | { kind: "succeeded"; result: unknown; ms: number }
  | { kind: "failed"; error: unknown; final: boolean; ms: number };

/**
 * The jobs queue's consumer. Per batch: parse every message (a job another producer sent
 * as `{ name, payload }` is adopted first, see adopt.ts; a malformed one goes to the
 * dead-letter queue and never fails the batch), claim all jobs in one statement, run the
 * claimed ones with bounded concurrency, each under its own deadline, record every outcome
 * in one statement, then ack or retry each message on its own:
 *
 * - success: ack;
 * - failure with attempts left: `retry({ delaySeconds })`, exponential with jitter;
 * - out of attempts, or a PermanentJobError: to the dead-letter queue, then ack;
 * - a duplicate delivery of a finished job: ack without running it again;
 * - a job another consumer is running: retry once that claim's lease would end.
 *
 * Each settled run is counted in the isolate's metrics (outcome and time, per job name),
 * and so is each repeat acked without running; the counts leave at the end of the batch.
 *
 * Nothing here throws: a throw would retry the whole batch, jobs that succeeded included.
 */
export async function consumeJobs(batch: MessageBatch, env: Bindings, ctx: ExecutionContext): Promise<void> {
  const invocation = createDeadline(INVOCATION_BUDGET_MS);
  const scope: DependencyScope = { env, signal: invocation.signal, waitUntil: (promise) => ctx.waitUntil(promise) };
  try {
    await consume(batch.messages, scope);
  } finally {
    invocation.dispose();
    if (observed(env)) metrics.flushBatch(env, (promise) => ctx.waitUntil(promise));
  }
}

const observed = (env: Bindings) => readConfig(env).OBSERVABILITY !== "off";

/** A settled run: its outcome and time, per job name. */
function countRun(scope: DependencyScope, name: string, outcome: JobRunOutcome, ms: number): void {
  if (observed(scope.env)) metrics.recordJobRun(name, outcome, ms);
}

/** A delivery acked without running its job: a repeat. */
function countDuplicate(scope: DependencyScope, name: string): void {
  if (observed(scope.env)) metrics.recordJobDuplicate(name);
}

async function consume(messages: readonly Message[], scope: DependencyScope): Promise<void> {
  const deliveries: Delivery[] = [];
  const seen = new Set<string>();
  const adoptions: Adoption[] = [];
  for (const message of messages) {
    const parsed = JobEnvelopeSchema.safeParse(message.body);
    if (!parsed.success) {
      // Not an envelope from `enqueue`: a job another producer sent, or not a job at all.
      const produced = ProducerMessageSchema.safeParse(message.body);
      if (produced.success) adoptions.push({ message, produced: produced.data });
      // eslint-disable-next-line no-await-in-loop -- rare, and each must be kept before its ack
      else await deadLetterMalformed(scope, message, "neither a job envelope nor a producer message ({ name, payload })");
      continue;
    }
    const definition = findJob(parsed.data.name);
    if (!definition) {
      // eslint-disable-next-line no-await-in-loop -- rare, as above
      await deadLetter(scope, message, parsed.data, `no job named "${parsed.data.name}" is registered`);
      continue;
    }
    if (seen.has(parsed.data.jobId)) {
      message.ack(); // the same job twice in one batch: one delivery is enough
      countDuplicate(scope, parsed.data.name);
      continue;
    }
    seen.add(parsed.data.jobId);
    deliveries.push({ message, envelope: parsed.data, definition });
  }
  for (const adopted of await adoptJobs(scope, adoptions, DATABASE_DOWN_DELAY_SECONDS)) {
    if (seen.has(adopted.envelope.jobId)) {
      adopted.message.ack();
      countDuplicate(scope, adopted.envelope.name);
    } else deliveries.push(adopted);
    seen.add(adopted.envelope.jobId);
  }
  if (deliveries.length === 0) return;

  const leaseToken = crypto.randomUUID();
  const db = databaseCall(scope);
  let claims: ClaimResult[];
  try {
    claims = await db(
      (sql) =>
        new JobRepository(sql).claim(
          deliveries.map((d) => ({ id: d.envelope.jobId, leaseMs: d.definition.options.timeoutMs + LEASE_MARGIN_MS })),
          leaseToken,
        ),
      { idempotent: true },
    );
  } catch (error) {
    logBatch("error", "could not claim jobs; the batch comes back later", { error: describeError(error), jobs: deliveries.length });
    for (const { message } of deliveries) message.retry({ delaySeconds: DATABASE_DOWN_DELAY_SECONDS });
    return;
  }

  const claimById = new Map(claims.map((claim) => [claim.id, claim]));
  const claimed: { delivery: Delivery; claim: Extract<ClaimResult, { claimed: true }> }[] = [];
  for (const delivery of deliveries) {
    const claim = claimById.get(delivery.envelope.jobId);
    if (claim?.claimed) claimed.push({ delivery, claim });
    // eslint-disable-next-line no-await-in-loop -- only dead-letters wait, and they are rare
    else await settleUnclaimed(scope, delivery, claim);
  }

  const limit = readConfig(scope.env).JOB_CONCURRENCY;
  const outcomes = await mapConcurrent(claimed, limit, ({ delivery, claim }) =>
    runJob(scope, delivery, claim, leaseToken),
  );
  const results = claimed.map((entry, i) => {
    const settled = outcomes[i];
    const outcome: Outcome = settled?.ok ? settled.value : { kind: "failed", error: settled?.error, final: false, ms: 0 };
    return { ...entry, outcome };
  });

  const completions: Completion[] = results.map(({ delivery, outcome }) =>
    outcome.kind === "succeeded"
      ? { id: delivery.envelope.jobId, status: "succeeded", result: outcome.result }
      : { id: delivery.envelope.jobId, status: "failed", error: describeError(outcome.error) },
  );
  let written: Set<string>;
  try {
    written = await db((sql) => new JobRepository(sql).complete(completions, leaseToken), { idempotent: true });
  } catch (error) {
    // The outcomes are lost: the jobs run again once their claims lapse (handlers are idempotent).
    logBatch("error", "could not record job outcomes; they will run again", { error: describeError(error), jobs: results.length });
    for (const { delivery } of results) {
      delivery.message.retry({ delaySeconds: Math.ceil(delivery.definition.options.timeoutMs / 1000) + DATABASE_DOWN_DELAY_SECONDS });
    }
    return;
  }

  const changes: JobStatusChange[] = [];
  await mapConcurrent(results, 6, async ({ delivery, claim, outcome }) => {
    const { message, envelope, definition } = delivery;
    if (!written.has(envelope.jobId)) {
      // Not written: another consumer took the job over after our lease ran out; it owns the outcome.
      message.ack();
      return;
    }
    const job = { id: envelope.jobId, name: envelope.name, attempts: claim.attempts };
    if (outcome.kind === "succeeded") {
      changes.push({ job, status: "succeeded" });
      countRun(scope, envelope.name, "succeeded", outcome.ms);
      message.ack();
      return;
    }
    changes.push({ job, status: "failed", error: describeError(outcome.error) });
    if (outcome.final || claim.attempts >= claim.maxAttempts) {
      // Counted dead by the dead-letter consumer, once it has marked the job.
      countRun(scope, envelope.name, "final", outcome.ms);
      await deadLetter(scope, message, { ...envelope, attempt: claim.attempts }, describeError(outcome.error));
      return;
    }
    countRun(scope, envelope.name, "failed", outcome.ms);
    message.retry({ delaySeconds: retryDelaySeconds(claim.attempts, definition.options) });
  });
  publishJobStatuses(scope, changes);
}

/** A delivery whose job was not claimed: a duplicate, someone else's, or out of attempts. */
async function settleUnclaimed(scope: DependencyScope, delivery: Delivery, claim: ClaimResult | undefined): Promise<void> {
  const { message, envelope } = delivery;
  if (!claim || claim.claimed) return;
  switch (claim.status) {
    case null:
      await deadLetter(scope, message, envelope, "the job has no row in the jobs table");
      return;
    case "succeeded":
    case "dead":
      message.ack(); // a duplicate delivery of a finished job: its side effects happened once
      countDuplicate(scope, envelope.name);
      return;
    case "running":
      message.retry({ delaySeconds: Math.max(1, Math.ceil(claim.leaseLeftMs / 1000) + 1) });
      return;
    case "queued":
    case "failed":
      // Out of attempts, and an earlier delivery could not reach the dead-letter queue.
      if (claim.outOfAttempts) await deadLetter(scope, message, envelope, "out of attempts");
      else message.retry({ delaySeconds: DATABASE_DOWN_DELAY_SECONDS });
      return;
  }
}

/** Runs one claimed job under its deadline; never throws, the outcome says what happened. */
async function runJob(
  scope: DependencyScope,
  { envelope, definition }: Delivery,
  claim: Extract<ClaimResult, { claimed: true }>,
  leaseToken: string,
): Promise<Outcome> {
  const log = jobLogger({ jobId: envelope.jobId, job: envelope.name, attempt: claim.attempts, requestId: envelope.requestId });
  const started = Date.now();
  const deadline = createDeadline(definition.options.timeoutMs, { parent: scope.signal });
  const jobScope: DependencyScope = { ...scope, signal: deadline.signal };
  try {
    const hazard = findJsonHazard(envelope.payload);
    if (hazard) throw new PermanentJobError(`The payload is refused: ${hazard.path}: ${hazard.message}`);
    const payload = definition.schema.safeParse(envelope.payload);
    if (!payload.success) throw new PermanentJobError(`The payload no longer matches the job's schema: ${payload.error.message}`);
    // Checked again when it runs: the deployment's policy may have changed since it was queued.
    const refusal = definition.check?.(payload.data, scope.env);
    if (refusal) throw new PermanentJobError(`The payload is refused: ${refusal.field}: ${refusal.message}`);
    const result = await raceAbort(
      definition.handler(payload.data, {
        jobId: envelope.jobId,
        attempt: claim.attempts,
        maxAttempts: claim.maxAttempts,
        requestId: envelope.requestId,
        env: scope.env,
        signal: deadline.signal,
        scope: jobScope,
        db: databaseCall(jobScope),
        leaseToken,
        progress: claim.progress,
        log,
      }),
      deadline.signal,
    );
    const ms = Date.now() - started;
    const sampleRate = readConfig(scope.env).LOG_SAMPLE_RATE;
    if (sampleRate >= 1 || Math.random() < sampleRate) log.info("job succeeded", { durationMs: ms });
    return { kind: "succeeded", result, ms };
  } catch (error) {
    const ms = Date.now() - started;
    const final = error instanceof PermanentJobError;
    const lost = error instanceof LeaseLostError;
    log[lost ? "warn" : "error"](lost ? "job lost its claim" : "job failed", {
      durationMs: ms,
      error: describeError(error),
      final,
    });
    return { kind: "failed", error, final, ms };
  } finally {
    deadline.dispose();
  }
}

/** Sends a job to the dead-letter queue (whose consumer marks it dead), then acks it. */
async function deadLetter(scope: DependencyScope, message: Message, envelope: JobEnvelope, reason: string): Promise<void> {
  try {
    await scope.env.JOBS_DEAD_LETTERS.send(envelope, { contentType: "json" });
    jobLogger({ jobId: envelope.jobId, job: envelope.name, requestId: envelope.requestId }).warn("job dead-lettered", { reason });
    message.ack();
  } catch (error) {
    logBatch("error", "could not dead-letter a job; it comes back later", { jobId: envelope.jobId, error: describeError(error) });
    message.retry({ delaySeconds: DATABASE_DOWN_DELAY_SECONDS });
  }
}

/** Sends a message that is not a job, whole, to the dead-letter queue, then acks it. */
async function deadLetterMalformed(scope: DependencyScope, message: Message, reason: string): Promise<void> {
  const letter: MalformedLetter = { malformed: true, reason, body: jsonSafe(message.body) };
  try {
    await scope.env.JOBS_DEAD_LETTERS.send(letter, { contentType: "json" });
    logBatch("warn", "malformed message dead-lettered", { messageId: message.id, reason });
    message.ack();
  } catch (error) {
    logBatch("error", "could not dead-letter a malformed message", { messageId: message.id, error: describeError(error) });
    message.retry({ delaySeconds: DATABASE_DOWN_DELAY_SECONDS });
  }
}

function logBatch(level: "warn" | "error", msg: string, fields: Record<string, unknown>): void {
  log(level, msg, { queue: "jobs", ...fields });
}

