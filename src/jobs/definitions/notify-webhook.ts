import { z } from "zod";
import { readConfig } from "../../config/config";
import { checkOutboundUrl } from "../../http/url-policy";
import { ResilientHttpClient } from "../../http/resilient-client";
import { isHttpStatusError } from "../../resilience";
import type { Bindings } from "../../env";
import { defineJob, PermanentJobError } from "../define-job";

const Payload = z.strictObject({
  /** Where to POST: https, to a public host (see the outbound URL policy). */
  url: z.url({ protocol: /^https?$/ }).max(2048),
  /** What happened, e.g. "product.created". */
  event: z.string().min(1).max(100),
  data: z.record(z.string(), z.unknown()).default({}),
});

/** The outbound URL policy, as configured: an allowlist when set, and the dev-only origins. */
function refusalOf(url: string, env: Bindings): string | undefined {
  const config = readConfig(env);
  const verdict = checkOutboundUrl(url, { allowedHosts: config.OUTBOUND_ALLOWED_HOSTS, devAllowedOrigins: config.OUTBOUND_DEV_ALLOWED_ORIGINS });
  return verdict.ok ? undefined : `refused by the outbound URL policy: ${verdict.reason}`;
}

/** What a failed delivery records, whatever went wrong on the way (see below). */
const NOT_DELIVERED = "The webhook was not delivered (no 2xx answer in time); it will be retried.";

/**
 * POSTs `{ id, event, data, sentAt }` to a URL through the resilient HTTP client (the
 * webhooks breaker, bulkhead, retries inside the attempt). The job id goes out as the
 * `Idempotency-Key`, so a receiver can drop the repeat of a delivery it already took, and
 * that is what makes retrying a POST safe. A 4xx answer is final: the job is dead-lettered
 * at once; a 5xx, a timeout or an open breaker is retried with backoff.
 *
 * The URL comes from input, so it passes the outbound URL policy (https, a public host, the
 * allowlist when one is set) when the job is enqueued and again before each attempt, and
 * redirects are never followed (a 3xx is final too). A failure to connect, a reset, a
 * timeout and a 5xx all record the same error, so the job's status cannot be used to learn
 * whether a port is open; the cause goes to the operators' log line only.
 */
export const notifyWebhook = defineJob(
  "notify-webhook",
  Payload,
  async ({ url, event, data }, ctx) => {
    const refusal = refusalOf(url, ctx.env);
    if (refusal) throw new PermanentJobError(`The webhook URL is ${refusal}.`);
    const target = new URL(url);
    const client = new ResilientHttpClient(ctx.scope, { dependency: "webhooks", baseUrls: [target.origin] });
    try {
      await client.postJson(
        `${target.pathname}${target.search}`,
        { id: ctx.jobId, event, data, sentAt: new Date().toISOString() },
        { idempotencyKey: ctx.jobId },
      );
    } catch (error) {
      if (isHttpStatusError(error) && error.status >= 300 && error.status < 500 && error.status !== 429) {
        const what = error.status < 400 ? "answered with a redirect, which is not followed" : "refused the webhook";
        throw new PermanentJobError(`The receiver ${what}: HTTP ${String(error.status)}`, { cause: error });
      }
      ctx.log.warn("webhook not delivered", { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
      throw new Error(NOT_DELIVERED, { cause: error });
    }
    return { delivered: true, url: `${target.origin}${target.pathname}` };
  },
  {
    maxAttempts: 8,
    initialDelaySeconds: 10,
    maxDelaySeconds: 3_600,
    timeoutMs: 20_000,
    check: ({ url }, env) => {
      const refusal = refusalOf(url, env);
      return refusal ? { field: "url", message: refusal } : undefined;
    },
  },
);
