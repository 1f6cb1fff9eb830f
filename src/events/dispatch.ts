import type { Bindings } from "../env";
import type { ProducerMessage } from "../jobs/envelope";
import { mapConcurrent } from "../resilience";
import { jsonBytes } from "../util/json-bytes";
import { uuidFrom } from "../util/uuid-from";
import type { CatalogueEvent } from "./catalogue";
import { handlersFor, isHandlerJobName } from "./handler-registry";
import type { EventHandler } from "./on-event";

/** What one `sendBatch` may carry on Cloudflare Queues: 100 messages, 256 KB (a margin kept). */
const MAX_BATCH_MESSAGES = 100;
const MAX_BATCH_BYTES = 250 * 1024;

/**
 * Hands numbered events to the handlers subscribed to their types: one job per event and
 * handler, sent to the jobs queue as a producer message (`{ name, payload, id }`, see
 * envelope.ts), which the consumer adopts and runs like any job, with the handler's retries
 * and its dead-letter queue. The job's id is derived from the handler and the event (topic,
 * number and time), so sending again after a failure, or a redelivered message, never makes
 * a second job for one event. Returns how many jobs were sent.
 *
 * Events about the handlers' own jobs (`job.*` of an `on-event:` job) reach no handler: a
 * handler of `job.succeeded` would otherwise make a job for its own success, forever.
 */
export async function dispatchToHandlers(env: Bindings, events: readonly CatalogueEvent[]): Promise<number> {
  const deliveries = events.flatMap((event) =>
    isAboutHandlerJob(event) ? [] : handlersFor(event.type).flatMap((handler) => (handler.accepts(event) ? [{ handler, event }] : [])),
  );
  if (deliveries.length === 0) return 0;
  const built = await mapConcurrent(deliveries, 8, async ({ handler, event }) => {
    const body: ProducerMessage = { name: handler.job.name, payload: { event }, id: await handlerJobId(handler, event) };
    return { body, contentType: "json" as const };
  });
  const messages = built.map((result) => {
    if (!result.ok) throw result.error;
    return result.value;
  });
  for (const batch of batches(messages)) {
    // eslint-disable-next-line no-await-in-loop -- in order, and almost always one batch
    await env.JOBS.sendBatch(batch);
  }
  return messages.length;
}

/** The id of the job that runs `handler` for `event`: the same for every send of that pair. */
export function handlerJobId(handler: Pick<EventHandler, "name">, event: Pick<CatalogueEvent, "topic" | "id" | "time">): Promise<string> {
  // The time too: a topic whose hub lost its storage numbers from 1 again, and its new
  // events must not be taken for old ones.
  return uuidFrom(`event-handler:${handler.name}:${event.topic}:${String(event.id)}:${event.time}`);
}

function isAboutHandlerJob(event: CatalogueEvent): boolean {
  switch (event.type) {
    case "job.queued":
    case "job.succeeded":
    case "job.failed":
    case "job.dead":
      return isHandlerJobName(event.data.name);
    default:
      return false;
  }
}

/** Splits messages into sends within the Queues limits. */
function batches<M extends { body: unknown }>(messages: M[]): M[][] {
  const result: M[][] = [];
  let current: M[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = jsonBytes(message.body);
    if (current.length > 0 && (current.length === MAX_BATCH_MESSAGES || bytes + size > MAX_BATCH_BYTES)) {
      result.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}
