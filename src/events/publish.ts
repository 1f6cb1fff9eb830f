import type { Bindings } from "../env";
import type { DependencyScope } from "../dependencies/scope";
import { raceAbort } from "../resilience";
import { checkPublication, type CatalogueEvent, type CheckedPublication, type Publication } from "./catalogue";
import { dispatchToHandlers } from "./dispatch";
import type { HubEvent } from "./event";
import { describeError, log } from "../observability/logger";

/** A publish is one Durable Object call; past this it is given up (the hub may be overloaded). */
const PUBLISH_TIMEOUT_MS = 2_000;

function hub(env: Bindings, topic: string) {
  return env.EVENT_HUB.get(env.EVENT_HUB.idFromName(topic));
}

/**
 * Publishes an event to a topic and returns it numbered. The event must fit its type's
 * entry in the catalogue (catalogue.ts): the compiler checks the shape, and the schema is
 * checked here too (an `InvalidEventError` otherwise, before anything is sent). `topic` must
 * be a valid topic name (see TopicSchema); `source` says who published it. Once the hub has
 * numbered it, the event goes to the handlers subscribed to its type, one job each (see
 * dispatch.ts); if that send fails, this fails too, after subscribers got the event.
 *
 * @example
 * await publish(env, "products", { type: "product.created", data: product }, "products");
 */
export async function publish(env: Bindings, topic: string, event: Publication, source: string, signal?: AbortSignal): Promise<CatalogueEvent> {
  const [published] = await publishEvents(env, topic, [event], source, signal);
  if (!published) throw new Error("The hub numbered no event");
  return published;
}

/** Several events to one topic in one Durable Object call, numbered in order (see publish). */
export async function publishEvents(env: Bindings, topic: string, events: Publication[], source: string, signal?: AbortSignal): Promise<CatalogueEvent[]> {
  return publishChecked(env, topic, events.map(checkPublication), source, signal);
}

/**
 * Sends events straight to a topic's hub: unchecked by the catalogue, and to no handler.
 * For what measures or tests the hub itself (the bench, tests that forge what no publisher
 * could); the app publishes with `publish`, `publishEvents` and `publishSoon`.
 */
export async function publishBatch(env: Bindings, topic: string, events: { type: string; data: unknown }[], source: string, signal?: AbortSignal): Promise<HubEvent[]> {
  const inputs = events.map((event) => ({ topic, type: event.type, data: event.data, source }));
  const deadline = AbortSignal.timeout(PUBLISH_TIMEOUT_MS);
  return raceAbort(hub(env, topic).publishMany(inputs), signal ? AbortSignal.any([signal, deadline]) : deadline);
}

/**
 * Publishes in the background (`waitUntil`), for notifications that must never fail or
 * slow the work they describe: a hub that is down costs a log line, not the request. The
 * events are checked against the catalogue at once, though: one it refuses is a bug in the
 * caller, and throws here, where a test sees it.
 */
export function publishSoon(scope: Pick<DependencyScope, "env" | "waitUntil">, topic: string, events: Publication | Publication[], source: string): void {
  const list = Array.isArray(events) ? events : [events];
  if (list.length === 0) return;
  const checked = list.map(checkPublication);
  scope.waitUntil(
    publishChecked(scope.env, topic, checked, source).catch((error: unknown) => {
      log("warn", "events not published, or not handed to their handlers", { topic, count: list.length, error: describeError(error) });
    }),
  );
}

/** Publishes events already checked against the catalogue (`checkPublication`), as `publishEvents` does. */
export async function publishChecked(env: Bindings, topic: string, events: CheckedPublication[], source: string, signal?: AbortSignal): Promise<CatalogueEvent[]> {
  if (events.length === 0) return [];
  const published = await publishBatch(env, topic, events, source, signal);
  // The hub numbers and times them; their types and data are the checked ones, in order.
  const numbered = published.flatMap((event, i): CatalogueEvent[] => {
    const checked = events[i];
    return checked ? [{ id: event.id, topic: event.topic, time: event.time, source: event.source, ...checked }] : [];
  });
  await dispatchToHandlers(env, numbered);
  return numbered;
}
