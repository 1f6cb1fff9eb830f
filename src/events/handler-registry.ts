import type { JobDefinition } from "../jobs/define-job";
import type { EventType } from "./catalogue";
import { statsAfterImport } from "./handlers/stats-after-import";
import { HANDLER_JOB_PREFIX, type EventHandler } from "./on-event";

/**
 * The Worker's event handlers (see `onEvent`). Add a handler here to turn it on: from then
 * on every event of its types that the hub accepts becomes a job of its own.
 */
export const EVENT_HANDLERS: readonly EventHandler[] = [statsAfterImport];

// Handlers subscribed at run time (see registerEventHandler); EVENT_HANDLERS is the static set.
const registered = new Map<string, EventHandler>();

/**
 * Subscribes a handler defined elsewhere (a plug-in, a test's handler with a fault in it)
 * in this isolate. Like a job registered at run time, register it in every isolate that
 * publishes its events or consumes the jobs queue.
 */
export function registerEventHandler(handler: EventHandler): void {
  if (EVENT_HANDLERS.some((known) => known.name === handler.name)) throw new Error(`A built-in event handler is already named "${handler.name}"`);
  registered.set(handler.name, handler);
}

/** The handlers subscribed to a type. */
export function handlersFor(type: EventType): EventHandler[] {
  return [...EVENT_HANDLERS, ...registered.values()].filter((handler) => handler.types.includes(type));
}

/** The job of the handler this job name belongs to (`on-event:<name>`), for the jobs registry. */
export function findHandlerJob(jobName: string): JobDefinition | undefined {
  if (!isHandlerJobName(jobName)) return undefined;
  const name = jobName.slice(HANDLER_JOB_PREFIX.length);
  return (EVENT_HANDLERS.find((handler) => handler.name === name) ?? registered.get(name))?.job;
}

/** Whether a job name is an event handler's. */
export const isHandlerJobName = (jobName: string): boolean => jobName.startsWith(HANDLER_JOB_PREFIX);
