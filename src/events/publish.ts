import type { Bindings } from "../env";
import type { DependencyScope } from "../dependencies/scope";
import { raceAbort } from "../resilience";
import type { HubEvent, Publication } from "./event";
import { describeError, log } from "../observability/logger";

/** A publish is one Durable Object call; past this it is given up (the hub may be overloaded). */
const PUBLISH_TIMEOUT_MS = 2_000;

function hub(env: Bindings, topic: string) {
  return env.EVENT_HUB.get(env.EVENT_HUB.idFromName(topic));
}

/**
 * Publishes an event to a topic and returns it numbered. `topic` must be a valid topic
 * name (see TopicSchema); `source` says who published it.
 *
 * @example
 * await publish(env, "products", { type: "product.created", data: product }, "products");
 */
export async function publish(env: Bindings, topic: string, event: Publication, source: string, signal?: AbortSignal): Promise<HubEvent> {
  const [published] = await publishBatch(env, topic, [event], source, signal);
  if (!published) throw new Error("The hub numbered no event");
  return published;
}

/** Several events to one topic in one Durable Object call, numbered in order. */
export async function publishBatch(env: Bindings, topic: string, events: Publication[], source: string, signal?: AbortSignal): Promise<HubEvent[]> {
  const inputs = events.map((event) => ({ topic, type: event.type, data: event.data, source }));
  const deadline = AbortSignal.timeout(PUBLISH_TIMEOUT_MS);
  return raceAbort(hub(env, topic).publishMany(inputs), signal ? AbortSignal.any([signal, deadline]) : deadline);
}

/**
 * Publishes in the background (`waitUntil`), for notifications that must never fail or
 * slow the work they describe: a hub that is down costs a log line, not the request.
 */
export function publishSoon(scope: Pick<DependencyScope, "env" | "waitUntil">, topic: string, events: Publication | Publication[], source: string): void {
  const list = Array.isArray(events) ? events : [events];
  if (list.length === 0) return;
  scope.waitUntil(
    publishBatch(scope.env, topic, list, source).catch((error: unknown) => {
      log("warn", "events not published", { topic, count: list.length, error: describeError(error) });
    }),
  );
}
