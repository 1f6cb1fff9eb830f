import type { z } from "zod";
import type { Bindings } from "../env";
import type { Database } from "../data/database";
import type { DependencyCall } from "../dependencies/calls";
import type { DependencyScope } from "../dependencies/scope";
import type { JobLogger } from "./job-logger";

/** Everything a handler gets besides its payload. */
export interface JobContext {
  jobId: string;
  /** This attempt's number, from 1; `maxAttempts` is the last. */
  attempt: number;
  maxAttempts: number;
  /** The request that enqueued the job, when one did. */
  requestId: string | null;
  env: Bindings;
  /** Fires at the job's timeout: pass it to every I/O call. */
  signal: AbortSignal;
  /** For guarded calls of its own (e.g. `new ResilientHttpClient(ctx.scope, …)`). */
  scope: DependencyScope;
  /** Guarded database access, as in routes. */
  db: DependencyCall<Database>;
  /**
   * The claim this attempt holds. A checkpoint written under it (see `JobRepository`)
   * fails once the lease was lost, so two runners never both write.
   */
  leaseToken: string;
  /** The progress a previous attempt checkpointed, if any: resume after it. */
  progress: unknown;
  log: JobLogger;
}

export interface JobOptions {
  /** Attempts before the job goes to the dead-letter queue (default 5). */
  maxAttempts?: number;
  /** Delay before the second attempt, doubling each time, with jitter (default 5 s)… */
  initialDelaySeconds?: number;
  /** …and never longer than this (default 1 h; Queues allow at most 12 h). */
  maxDelaySeconds?: number;
  /** Deadline of one attempt (default 30 s). Its claim lasts a little longer. */
  timeoutMs?: number;
}

/** Why a payload that fits the schema is still refused: the field (inside the payload) and why. */
export interface PayloadRefusal {
  field: string;
  message: string;
}

/**
 * A check of a payload against the deployment (its bindings), beyond what a static schema
 * can say: e.g. a webhook URL against the outbound URL policy. Run when the job is enqueued
 * (a refusal is a 400 naming the field) and again before it runs.
 */
export type PayloadCheck<Schema extends z.ZodType> = (payload: z.output<Schema>, env: Bindings) => PayloadRefusal | undefined;

export interface JobDefinition<Schema extends z.ZodType = z.ZodType, Result = unknown, Name extends string = string> {
  name: Name;
  schema: Schema;
  options: Required<JobOptions>;
  handler: (payload: z.output<Schema>, ctx: JobContext) => Promise<Result>;
  check?: PayloadCheck<Schema>;
}

/** The delay limit of `message.retry()` and `send()` on Cloudflare Queues. */
export const MAX_QUEUE_DELAY_SECONDS = 43_200;

/**
 * Declares a job: its name, the zod schema of its payload (checked when it is enqueued and
 * again when it runs), the work, and its retry policy. Register it in `registry.ts`.
 *
 * Delivery is at least once, and an attempt can fail after its side effects: make them
 * idempotent, keyed by `ctx.jobId` (an upsert, an `Idempotency-Key` header, a checkpoint).
 *
 * @example
 * export const sendReceipt = defineJob("send-receipt", z.object({ orderId: z.uuid() }),
 *   async ({ orderId }, ctx) => { … }, { maxAttempts: 8, timeoutMs: 10_000 });
 */
export function defineJob<const Name extends string, Schema extends z.ZodType, Result>(
  name: Name,
  schema: Schema,
  handler: (payload: z.output<Schema>, ctx: JobContext) => Promise<Result>,
  options: JobOptions & { check?: PayloadCheck<Schema> } = {},
): JobDefinition<Schema, Result, Name> {
  const resolved: Required<JobOptions> = {
    maxAttempts: options.maxAttempts ?? 5,
    initialDelaySeconds: options.initialDelaySeconds ?? 5,
    maxDelaySeconds: Math.min(options.maxDelaySeconds ?? 3_600, MAX_QUEUE_DELAY_SECONDS),
    timeoutMs: options.timeoutMs ?? 30_000,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new RangeError(`${name}: maxAttempts must be an integer ≥ 1`);
  }
  return { name, schema, handler, options: resolved, ...(options.check ? { check: options.check } : {}) };
}

/**
 * A failure that another attempt cannot fix (the upstream refused the input, the data is
 * invalid): the job goes to the dead-letter queue at once instead of retrying.
 */
export class PermanentJobError extends Error {
  override readonly name = "PermanentJobError";
}
