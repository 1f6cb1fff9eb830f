import type { Config } from "../config/config";
import { SERVICE_NAME } from "../config/service";
import { checkOutboundUrl } from "../http/url-policy";
import { describeError } from "../observability/logger";
import type { AlertEvent } from "./evaluate";

/** The JSON body POSTed to ALERT_WEBHOOK_URL: the event, and which service and rule it is about. */
export interface AlertNotification extends AlertEvent {
  service: string;
  description: string;
}

/** A notification waiting in the metrics object's outbox. */
export interface PendingDelivery {
  /**
   * Sent as `Idempotency-Key`: the same for every attempt of one notification (service,
   * rule, episode, state), so a receiver can drop the repeat of one it already took.
   */
  key: string;
  notification: AlertNotification;
  attempts: number;
  /** Not before (ms since the epoch). */
  nextAttemptAt: number;
}

export type DeliveryResult = { kind: "delivered" } | { kind: "retry"; error: string } | { kind: "dropped"; error: string };

/** Attempts per notification; then it is dropped, and the log says so. */
export const MAX_DELIVERY_ATTEMPTS = 8;

/** Wait before attempt `attempts + 1`: 5 s, doubling, at most 5 min (about 10 minutes for all eight). */
export const retryDelayMs = (attempts: number) => Math.min(5_000 * 2 ** Math.max(0, attempts - 1), 300_000);

export function pendingDelivery(event: AlertEvent, description: string, now: number): PendingDelivery {
  return {
    key: `${SERVICE_NAME}:${event.id}:${event.since}:${event.state}`,
    notification: { service: SERVICE_NAME, description, ...event },
    attempts: 0,
    nextAttemptAt: now,
  };
}

/**
 * POSTs one notification to `url`, which passes the outbound URL policy first (as every
 * webhook does: https to a public host, the allowlist when one is set), with
 * WEBHOOK_TIMEOUT_MS as its deadline and redirects never followed. A 2xx is delivered; a
 * 5xx, 408, 429, a timeout or a network error is worth another attempt; anything else (a
 * refused URL, a redirect, a 4xx) will not get better by retrying.
 */
export async function postAlert(url: string, delivery: PendingDelivery, config: Config): Promise<DeliveryResult> {
  const verdict = checkOutboundUrl(url, { allowedHosts: config.OUTBOUND_ALLOWED_HOSTS, devAllowedOrigins: config.OUTBOUND_DEV_ALLOWED_ORIGINS });
  if (!verdict.ok) return { kind: "dropped", error: `ALERT_WEBHOOK_URL is refused by the outbound URL policy: ${verdict.reason}` };
  try {
    const response = await fetch(verdict.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "Idempotency-Key": delivery.key },
      body: JSON.stringify(delivery.notification),
      redirect: "manual",
      signal: AbortSignal.timeout(config.WEBHOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
    if (response.ok) return { kind: "delivered" };
    const error = `HTTP ${String(response.status)} from ${verdict.url.origin}`;
    const transient = response.status >= 500 || response.status === 408 || response.status === 429;
    return transient ? { kind: "retry", error } : { kind: "dropped", error: `${error} (not retried)` };
  } catch (error) {
    return { kind: "retry", error: describeError(error) };
  }
}
