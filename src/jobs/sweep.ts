import type { Bindings } from "../env";
import { databaseCall } from "../dependencies/calls";
import { JobRepository } from "../data/jobs";
import { createDeadline, mapConcurrent } from "../resilience";
import { sendEnvelope } from "./enqueue";
import { log } from "../observability/logger";

/** A queued job this long past its due time was probably never sent. */
const STRANDED_AFTER_MS = 5 * 60_000;
const SWEEP_LIMIT = 500;

/**
 * Sends again the jobs whose message was probably never sent: the Worker died between
 * recording a job and sending it. Run by the cron trigger (`scheduled`). A job whose message
 * was merely slow is delivered twice, which the consumer's claim makes harmless.
 */
export async function sweepStrandedJobs(env: Bindings, ctx: ExecutionContext): Promise<number> {
  const deadline = createDeadline(30_000);
  const scope = { env, signal: deadline.signal, waitUntil: (promise: Promise<unknown>) => ctx.waitUntil(promise) };
  try {
    const stranded = await databaseCall(scope)((sql) => new JobRepository(sql).stranded(STRANDED_AFTER_MS, SWEEP_LIMIT), {
      idempotent: false,
    });
    const sent = await mapConcurrent(stranded, 6, (job) => sendEnvelope(scope, job), deadline.signal);
    const failed = sent.filter((s) => !s.ok).length;
    log(failed > 0 ? "warn" : "info", "stranded jobs re-sent", { sent: sent.length - failed, failed });
    return sent.length - failed;
  } finally {
    deadline.dispose();
  }
}
