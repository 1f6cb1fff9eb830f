import type { Bindings } from "../env";
import { databaseCall } from "../dependencies/calls";
import { JobRepository } from "../data/jobs";
import { createDeadline, mapConcurrent } from "../resilience";
import { uuidFrom } from "../util/uuid-from";
import { JobEnvelopeSchema, jsonSafe, MALFORMED_NAME, MalformedLetterSchema, type JobEnvelope } from "./envelope";
import { publishJobStatuses } from "./job-events";
import { describeError, log } from "../observability/logger";
import { metrics } from "../observability/metrics-buffer";
import { readConfig } from "../config/config";
import { findJob } from "./registry";

/** When the database cannot be reached, dead letters come back after this. */
const RETRY_DELAY_SECONDS = 30;
/** The metrics' name for a dead job whose name no registered job has (hand-sent messages): one label, however many names. */
const UNREGISTERED = "(unregistered)";

/**
 * The dead-letter queue's consumer. A job that arrives here is marked `dead` (its row keeps
 * the payload, so `POST /jobs/{id}/retry` can replay it); a message that was never a job is
 * recorded as a dead row of its own, so nothing sent to the jobs queue vanishes unseen.
 * Jobs get here two ways: the jobs consumer sends them when out of attempts, and Queues
 * itself moves a message after `max_retries` deliveries (a consumer that kept crashing).
 * Every job marked or recorded dead is counted in the metrics, by name (`dead`), once its
 * row says so; the dead-letter alert counts them too.
 */
export async function consumeDeadLetters(batch: MessageBatch, env: Bindings, ctx: ExecutionContext): Promise<void> {
  const observed = readConfig(env).OBSERVABILITY !== "off";
  const countDead = (name: string) => {
    if (observed) metrics.recordJobDead(name === MALFORMED_NAME || findJob(name) ? name : UNREGISTERED);
  };
  const deadline = createDeadline(60_000);
  const db = databaseCall({ env, signal: deadline.signal, waitUntil: (promise) => ctx.waitUntil(promise) });
  try {
    const jobs = new Map<string, { envelope: JobEnvelope; messages: Message[] }>();
    const malformed: { message: Message; body: unknown; reason: string }[] = [];
    for (const message of batch.messages) {
      const envelope = JobEnvelopeSchema.safeParse(message.body);
      if (envelope.success) {
        const known = jobs.get(envelope.data.jobId);
        if (known) known.messages.push(message);
        else jobs.set(envelope.data.jobId, { envelope: envelope.data, messages: [message] });
        continue;
      }
      const letter = MalformedLetterSchema.safeParse(message.body);
      malformed.push(
        letter.success
          ? { message, body: letter.data.body, reason: letter.data.reason }
          : { message, body: jsonSafe(message.body), reason: "not a job envelope" },
      );
    }

    await settle([...jobs.values()].flatMap((job) => job.messages), async () => {
      const reason = "dead-lettered after repeated failed deliveries";
      const dead = await db((sql) => new JobRepository(sql).markDead([...jobs.keys()], reason), { idempotent: true });
      // A job with no row (sent to the queue by hand, or its row lost) is recorded dead with
      // its envelope, never acked away unseen; a known name can then be replayed.
      const marked = new Set(dead.map((job) => job.id));
      const orphans = [...jobs.values()].filter(({ envelope }) => !marked.has(envelope.jobId)).map(({ envelope }) => envelope);
      const recorded = await mapConcurrent(orphans, 6, (envelope) =>
        db(
          (sql) =>
            new JobRepository(sql).recordDead({ id: envelope.jobId, name: envelope.name, payload: envelope.payload, reason: `${reason} (the job had no row)` }),
          { idempotent: true },
        ),
      );
      for (const result of recorded) if (!result.ok) throw result.error;
      for (const job of dead) countDead(job.name);
      for (const envelope of orphans) countDead(envelope.name);
      const scope = { env, waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise) };
      publishJobStatuses(scope, dead.map((job) => ({ job, status: "dead" as const, error: job.last_error ?? undefined })));
    });
    for (const { message, body, reason } of malformed) {
      // eslint-disable-next-line no-await-in-loop -- rare; each is recorded before its ack
      await settle([message], async () => {
        const id = await uuidFrom(`dead-letter:${message.id}`);
        await db((sql) => new JobRepository(sql).recordDead({ id, name: MALFORMED_NAME, payload: { body }, reason: `malformed message: ${reason}` }), {
          idempotent: true,
        });
        countDead(MALFORMED_NAME);
      });
    }
  } finally {
    deadline.dispose();
    if (observed) metrics.flushBatch(env, (promise) => ctx.waitUntil(promise));
  }
}

/** Acks `messages` once `write` succeeded; on failure they come back later (never thrown). */
async function settle(messages: Message[], write: () => Promise<void>): Promise<void> {
  if (messages.length === 0) return;
  try {
    await write();
    for (const message of messages) message.ack();
  } catch (error) {
    log("error", "could not record dead letters; they come back later", {
      queue: "jobs-dead-letters",
      error: describeError(error),
    });
    for (const message of messages) message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
  }
}
