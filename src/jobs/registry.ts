import type { z } from "zod";
import type { JobDefinition } from "./define-job";
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

/** A job's definition with its types erased, for code that handles any job. */
export function findJob(name: string): JobDefinition | undefined {
  return isJobName(name) ? (JOBS[name] as unknown as JobDefinition) : undefined;
}
