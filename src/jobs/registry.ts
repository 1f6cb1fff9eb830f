import type { z } from "zod";
import type { JobDefinition } from "./define-job";
import { findHandlerJob } from "../events/handler-registry";
import { importProducts } from "./definitions/import-products";
import { notifyWebhook } from "./definitions/notify-webhook";
import { recomputeProductStats } from "./definitions/recompute-product-stats";

/** Every job the consumer can run, by name. Add a job here to make it enqueueable. */
export const JOBS = {
  [recomputeProductStats.name]: recomputeProductStats,
  [importProducts.name]: importProducts,
  [notifyWebhook.name]: notifyWebhook,
} as const;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];

/** The payload type a job accepts (its schema's input: defaults may be left out). */
export type JobPayload<N extends JobName> = z.input<(typeof JOBS)[N]["schema"]>;

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

// Jobs registered at run time (see registerJob); JOBS is the typed, static set.
const registered = new Map<string, JobDefinition>();

/**
 * Adds a job defined elsewhere (a plug-in, a test's job with a fault in it) to this
 * isolate's registry. Such a job is enqueued with `enqueueUnchecked` or POST /jobs; give it
 * a name of its own, and register it in every isolate that consumes the queue.
 */
export function registerJob<Schema extends z.ZodType, Result>(definition: JobDefinition<Schema, Result>): void {
  if (isJobName(definition.name)) throw new Error(`A built-in job is already named "${definition.name}"`);
  registered.set(definition.name, definition);
}

/** A job's definition with its types erased, for code that handles any job (event handlers' jobs included). */
export function findJob(name: string): JobDefinition | undefined {
  return isJobName(name) ? JOBS[name] : (registered.get(name) ?? findHandlerJob(name));
}
