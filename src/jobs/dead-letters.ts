import type { Bindings } from "../env";
import { databaseCall } from "../dependencies/calls";
import { JobRepository } from "../data/jobs";
import { createDeadline } from "../resilience";
import { sha256Hex } from "../util/sha256";
import { JobEnvelopeSchema, jsonSafe, MalformedLetterSchema } from "./envelope";
import { publishJobStatuses } from "./job-events";
import { describeError, log } from "../observability/logger";

/** When the database cannot be reached, dead letters come back after this. */
const RETRY_DELAY_SECONDS = 30;

/**
 * The dead-letter queue's consumer. A job that arrives here is marked `dead` (its row keeps
 * the payload, so `POST /jobs/{id}/retry` can replay it); a message that was never a job is
 * recorded as a dead row of its own, so nothing sent to the jobs queue vanishes unseen.
 * Jobs get here two ways: the jobs consumer sends them when out of attempts, and Queues
 * itself moves a message after `max_retries` deliveries (a consumer that kept crashing).
 */
export async function consumeDeadLetters(batch: MessageBatch, env: Bindings, ctx: ExecutionContext): Promise<void> {
  const deadline = createDeadline(60_000);
  const db = databaseCall({ env, signal: deadline.signal, waitUntil: (promise) => ctx.waitUntil(promise) });
  try {
    const jobs = new Map<string, Message[]>();
    const malformed: { message: Message; body: unknown; reason: string }[] = [];
    for (const message of batch.messages) {
      const envelope = JobEnvelopeSchema.safeParse(message.body);
      if (envelope.success) {
        jobs.set(envelope.data.jobId, [...(jobs.get(envelope.data.jobId) ?? []), message]);
        continue;
      }
      const letter = MalformedLetterSchema.safeParse(message.body);
      malformed.push(
        letter.success
          ? { message, body: letter.data.body, reason: letter.data.reason }
          : { message, body: jsonSafe(message.body), reason: "not a job envelope" },
      );
    }

    await settle([...jobs.values()].flat(), async () => {
      const dead = await db((sql) => new JobRepository(sql).markDead([...jobs.keys()], "dead-lettered after repeated failed deliveries"), {
        idempotent: true,
      });
      const scope = { env, waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise) };
      publishJobStatuses(scope, dead.map((job) => ({ job, status: "dead" as const, error: job.last_error ?? undefined })));
    });
    for (const { message, body, reason } of malformed) {
      // eslint-disable-next-line no-await-in-loop -- rare; each is recorded before its ack
      await settle([message], async () => {
        const id = uuidFrom(await sha256Hex(`dead-letter:${message.id}`));
        await db((sql) => new JobRepository(sql).recordMalformed(id, body, `malformed message: ${reason}`), { idempotent: true });
      });
    }
  } finally {
    deadline.dispose();
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

/** A UUID-shaped id from a hex digest, so a redelivered letter maps to the same row. */
function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}
