import { z } from "zod";

/**
 * The body of every message on the jobs queue. The job's row in Postgres is the source of
 * truth for its status and attempts; the envelope carries what a consumer needs to run it
 * and to correlate its logs with the request that asked for it.
 */
export const JobEnvelopeSchema = z.object({
  /** Envelope format, so a consumer can tell a message from an older release. */
  v: z.literal(1),
  jobId: z.uuid(),
  name: z.string().min(1),
  payload: z.unknown(),
  /** Attempts already made when this message was sent: 0 when enqueued or replayed. */
  attempt: z.number().int().min(0),
  /** The request that enqueued the job: producer and consumer log lines share it. */
  requestId: z.string().nullable(),
  enqueuedAt: z.iso.datetime(),
});
export type JobEnvelope = z.infer<typeof JobEnvelopeSchema>;

/**
 * What any other producer sends to the jobs queue (another Worker's producer binding, the
 * dashboard, the Queues HTTP API): a job's name and payload, optionally its id or an
 * idempotency key. The consumer adopts it: records the job (once, however often the
 * message is delivered), then runs it like any other. A delay goes in the send options.
 *
 * @example
 * await env.JOBS.send({ name: "recompute-product-stats", payload: { productId } });
 */
export const ProducerMessageSchema = z.strictObject({
  name: z.string().min(1).max(100),
  payload: z.unknown().default({}),
  /** The job's id; by default one derived from the message's own id. */
  id: z.uuid().optional(),
  /** Same key, same job, across messages (keys of queue producers share one namespace). */
  idempotencyKey: z.string().min(1).max(255).optional(),
});
export type ProducerMessage = z.infer<typeof ProducerMessageSchema>;

/** The idempotency-key namespace of jobs that arrived as producer messages. */
export const QUEUE_PRODUCER_SCOPE = "queue";
/** The name of a dead row recording a message that was not a job at all. */
export const MALFORMED_NAME = "(malformed message)";

/** Cloudflare Queues refuses messages over 128 KB. */
export const MAX_MESSAGE_BYTES = 128 * 1024;


/**
 * A message the dead-letter queue receives that is not a job: kept whole, with the reason,
 * so nothing sent to the queue is ever dropped without a trace.
 */
export const MalformedLetterSchema = z.object({
  malformed: z.literal(true),
  reason: z.string(),
  body: z.unknown(),
});
export type MalformedLetter = z.infer<typeof MalformedLetterSchema>;

/**
 * A message body as something JSON can carry, whatever it was sent as (text, JSON, bytes,
 * a structured-clone object): bytes become base64, anything else unrepresentable a string.
 */
export function jsonSafe(body: unknown): unknown {
  if (body instanceof ArrayBuffer || ArrayBuffer.isView(body)) {
    const bytes = body instanceof ArrayBuffer ? new Uint8Array(body) : new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
    let binary = "";
    for (const byte of bytes) binary += String.fromCharCode(byte);
    return { base64: btoa(binary) };
  }
  try {
    // undefined for undefined, a function or a symbol, whatever the declared type says.
    const json = JSON.stringify(body) as string | undefined;
    return json === undefined ? String(body) : (JSON.parse(json) as unknown);
  } catch {
    return String(body);
  }
}
