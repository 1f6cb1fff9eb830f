import type { Bindings } from "../env";
import { readConfig } from "../config/config";

/**
 * Job status changes, every job on one topic: one Durable Object call per consumer batch,
 * instead of a Durable Object per job. Follow one job with `?where=data.id=<job id>`. Job
 * events carry error texts: the topic is private unless an operator lists it as public.
 */
export const JOBS_TOPIC = "jobs";
/** Product changes: as public as the catalogue itself, by default (EVENT_PUBLIC_TOPICS). */
export const PRODUCTS_TOPIC = "products";

/** Topics anyone may subscribe to (`EVENT_PUBLIC_TOPICS`); every other topic needs `events:subscribe`. */
export function isPublicTopic(env: Bindings, topic: string): boolean {
  return readConfig(env).EVENT_PUBLIC_TOPICS.includes(topic);
}

/**
 * Topics the app itself declares: its own (products, jobs) and the public ones. They can be
 * subscribed to before their first event; any other topic exists once something was
 * published to it.
 */
export function isDeclaredTopic(env: Bindings, topic: string): boolean {
  return topic === JOBS_TOPIC || topic === PRODUCTS_TOPIC || isPublicTopic(env, topic);
}
