import { databaseCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import { JobRepository } from "../data/jobs";
import { mapConcurrent } from "../resilience";
import { findJsonHazard } from "../util/json-hazards";
import { uuidFrom } from "../util/uuid-from";
import type { JobDefinition } from "./define-job";
import { admitJob, EnqueueError, recordJob } from "./enqueue";
import { QUEUE_PRODUCER_SCOPE, type JobEnvelope, type ProducerMessage } from "./envelope";
import { publishJobStatuses, type JobStatusChange } from "./job-events";
import { jobLogger } from "./job-logger";

/** A producer's message, and the queue message that carried it. */
export interface Adoption {
  message: Message;
  produced: ProducerMessage;
}

/** An adopted job, ready to be claimed and run like any enqueued one. */
export interface Adopted {
  message: Message;
  envelope: JobEnvelope;
  definition: JobDefinition;
}

/**
 * Turns messages that other producers sent (`{ name, payload, id?, idempotencyKey? }`)
 * into jobs: each passes the same checks as `POST /jobs`, then its row is recorded, with
 * an id derived from the message's own (or the one it gives), so a redelivery finds the
 * same job and never makes a second. A message whose job is refused (an unknown name, a
 * payload its schema or checks refuse) becomes a `dead` row with the reason, then is
 * acked: visible at `GET /jobs?status=dead`, never lost. One the database cannot take now
 * comes back later. Returns the adopted jobs.
 */
export async function adoptJobs(scope: DependencyScope, adoptions: Adoption[], retryDelaySeconds: number): Promise<Adopted[]> {
  const queued: JobStatusChange[] = [];
  const settled = await mapConcurrent(adoptions, 6, async ({ message, produced }): Promise<Adopted | undefined> => {
    const jobId = produced.id ?? (await uuidFrom(`queue-message:${message.id}`));
    try {
      const job = admitJob(scope.env, produced.name, produced.payload, {
        jobId,
        idempotencyKey: produced.idempotencyKey,
        idempotencyScope: QUEUE_PRODUCER_SCOPE,
      });
      const { job: row, created } = await recordJob(scope, job);
      if (created) queued.push({ job: row, status: "queued" });
      return { message, envelope: { ...job.envelope, jobId: row.id }, definition: job.definition };
    } catch (error) {
      if (!(error instanceof EnqueueError)) throw error;
      const reason = [error.message, ...error.issues.map((issue) => `${issue.field}: ${issue.message}`)].join(" ");
      // A payload Postgres cannot store is left out of the row; the reason says why.
      const payload = findJsonHazard(produced.payload) ? { omitted: "the payload itself was refused" } : produced.payload;
      await databaseCall(scope)((sql) => new JobRepository(sql).recordDead({ id: jobId, name: produced.name, payload, reason: `refused when adopted: ${reason}` }), {
        idempotent: true,
      });
      jobLogger({ jobId, job: produced.name, requestId: null }).warn("producer message refused; recorded as a dead job", { reason });
      message.ack();
      return undefined;
    }
  });
  publishJobStatuses(scope, queued);
  return settled.flatMap((result, i) => {
    if (result.ok) return result.value ? [result.value] : [];
    // The database could not record it: the message comes back, and is adopted then.
    adoptions[i]?.message.retry({ delaySeconds: retryDelaySeconds });
    return [];
  });
}
