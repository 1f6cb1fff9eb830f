import type { Bindings } from "../env";
import type { DependencyScope } from "../dependencies/scope";
import { raceAbort } from "../resilience";
import type { HubEvent, Publication } from "./event";
import { log } from "../observability/logger";

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
  const deadline = AbortSignal.timeout(PUBLISH_TIMEOUT_MS);
  return raceAbort(hub(env, topic).publish({ topic, type: event.type, data: event.data, source }), signal ? AbortSignal.any([signal, deadline]) : deadline);
}

/**
 * Publishes in the background (`waitUntil`), for notifications that must never fail or
 * slow the work they describe: a hub that is down costs a log line, not the request.
 */
export function publishSoon(scope: Pick<DependencyScope, "env" | "waitUntil">, topic: string, event: Publication, source: string): void {
  scope.waitUntil(
    publish(scope.env, topic, event, source).catch((error: unknown) => {
      log("warn", "event not published", { topic, type: event.type, error: error instanceof Error ? error.message : String(error) });
    }),
  );
}

/** The topic of one job's status changes. */
export const jobTopic = (jobId: string) => `job-${jobId}`;
export const PRODUCTS_TOPIC = "products";
