import { MAX_QUEUE_DELAY_SECONDS } from "./define-job";

/**
 * Seconds to wait before the attempt after `attempt` (1-based): exponential, with "equal
 * jitter" (half fixed, half random) so consumers that failed together do not come back
 * together, yet each delay is at least as long as the one before. Whole seconds, as
 * `message.retry({ delaySeconds })` takes them, and never over the Queues limit.
 *
 * @example
 * retryDelaySeconds(1, { initialDelaySeconds: 5, maxDelaySeconds: 3600 }); // 3–5
 * retryDelaySeconds(3, { initialDelaySeconds: 5, maxDelaySeconds: 3600 }); // 10–20
 */
export function retryDelaySeconds(
  attempt: number,
  options: { initialDelaySeconds: number; maxDelaySeconds: number },
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, attempt - 1);
  const ceiling = Math.min(options.maxDelaySeconds, options.initialDelaySeconds * 2 ** Math.min(exponent, 30));
  const delay = Math.ceil(ceiling / 2 + random() * (ceiling / 2));
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(options.initialDelaySeconds > 0 ? 1 : 0, delay));
}
