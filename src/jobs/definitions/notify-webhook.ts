import { z } from "zod";
import { defineJob, PermanentJobError } from "../define-job";
import { ResilientHttpClient } from "../../http/resilient-client";
import { isHttpStatusError } from "../../resilience";

const Payload = z.strictObject({
  /** Where to POST; http(s) only. */
  url: z.url({ protocol: /^https?$/ }),
  /** What happened, e.g. "product.created". */
  event: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()).default({}),
});

/**
 * POSTs `{ id, event, data, sentAt }` to a URL through the resilient HTTP client (the
 * webhooks breaker, bulkhead, retries inside the attempt). The job id goes out as the
 * `Idempotency-Key`, so a receiver can drop the repeat of a delivery it already took, and
 * that is what makes retrying a POST safe. A 4xx answer is final: the job is dead-lettered
 * at once; a 5xx, a timeout or an open breaker is retried with backoff.
 */
export const notifyWebhook = defineJob(
  "notify-webhook",
  Payload,
  async ({ url, event, data }, ctx) => {
    const target = new URL(url);
    const client = new ResilientHttpClient(ctx.scope, { dependency: "webhooks", baseUrls: [target.origin] });
    try {
      await client.postJson(
        `${target.pathname}${target.search}`,
        { id: ctx.jobId, event, data, sentAt: new Date().toISOString() },
        { idempotencyKey: ctx.jobId },
      );
    } catch (error) {
      if (isHttpStatusError(error) && error.status >= 400 && error.status < 500 && error.status !== 429) {
        throw new PermanentJobError(`The receiver refused the webhook: HTTP ${error.status}`, { cause: error });
      }
      throw error;
    }
    return { delivered: true, url: `${target.origin}${target.pathname}` };
  },
  { maxAttempts: 8, initialDelaySeconds: 10, maxDelaySeconds: 3_600, timeoutMs: 20_000 },
);
