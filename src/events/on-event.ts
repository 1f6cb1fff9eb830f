import { z } from "zod";
import { defineJob, type JobContext, type JobDefinition, type JobOptions } from "../jobs/define-job";
import { eventSchema, type CatalogueEvent, type EventType } from "./catalogue";

/** Every handler's job is named with this prefix and the handler's name. */
export const HANDLER_JOB_PREFIX = "on-event:";

/**
 * A Worker-side handler of events: which types it takes, and the job that runs it. Each
 * event of those types, once the hub has accepted it, becomes one job of this handler's
 * (see dispatch.ts), so a handler that fails is retried with backoff and, out of
 * attempts, dead-lettered like any job; never lost, never run twice for one event.
 */
export interface EventHandler {
  name: string;
  types: readonly EventType[];
  /** Whether this event should reach the handler (its `when`, checked before a job is made). */
  accepts(event: CatalogueEvent): boolean;
  job: JobDefinition;
}

export interface EventHandlerOptions<T extends EventType> extends JobOptions {
  /** Only these events of the types become jobs: a filter that spares a job per event the handler would ignore. */
  when?: (event: CatalogueEvent<T>) => boolean;
}

/**
 * Subscribes a handler to event types. The handler runs as a job (`on-event:<name>`), with
 * the job options given (attempts, backoff, timeout) and the job's context (`ctx.db`,
 * `ctx.signal`, `ctx.jobId`…); it receives the event as subscribers do, its data typed and
 * checked by the catalogue. Delivery is at least once: make side effects idempotent, keyed
 * by `ctx.jobId` (one job per event and handler) or by the event's data. List the handler in
 * `EVENT_HANDLERS` (handlers.ts) to turn it on.
 *
 * @example
 * export const logNotes = onEvent("note.posted", "log-notes", async (event, ctx) => {
 *   ctx.log.info("note", { topic: event.topic, text: event.data.text });
 * }, { maxAttempts: 3, when: (event) => event.topic === "support" });
 */
export function onEvent<const T extends EventType>(
  types: T | readonly T[],
  name: string,
  handle: (event: CatalogueEvent<T>, ctx: JobContext) => Promise<unknown>,
  options: EventHandlerOptions<T> = {},
): EventHandler {
  const list: readonly T[] = typeof types === "string" ? [types] : types;
  if (list.length === 0) throw new RangeError(`${name}: a handler takes at least one event type`);
  if (!/^[a-z0-9][a-z0-9-]{0,79}$/.test(name)) throw new RangeError(`${name}: a handler's name is 1–80 characters: a-z, 0-9 and '-'`);
  const { when, ...jobOptions } = options;
  const schema = eventsOf(list);
  return {
    name,
    types: list,
    accepts: (event) => {
      if (!(list as readonly EventType[]).includes(event.type)) return false;
      // Its type is one of ours, so it is an event of ours.
      return when?.(event as CatalogueEvent<T>) ?? true;
    },
    job: defineJob(`${HANDLER_JOB_PREFIX}${name}`, z.strictObject({ event: schema }), ({ event }, ctx) => handle(event, ctx), jobOptions),
  };
}

/** The schema of an event of any of `types`, typed as the catalogue types it. */
function eventsOf<T extends EventType>(types: readonly T[]): z.ZodType<CatalogueEvent<T>> {
  const [first, ...rest] = types.map((type) => eventSchema(type));
  if (!first) throw new RangeError("no event types");
  // Each member is the schema of one type's event, so the union parses to CatalogueEvent<T>.
  return (rest.length === 0 ? first : z.discriminatedUnion("type", [first, ...rest])) as unknown as z.ZodType<CatalogueEvent<T>>;
}

