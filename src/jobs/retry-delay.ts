import { exponentialCeiling } from "../resilience";
import { MAX_QUEUE_DELAY_SECONDS } from "./define-job";

/**
 * Seconds to wait before the attempt after `attempt` (1-based): exponential, with jitter.
 * The ceiling doubles per attempt up to `maxDelaySeconds`; each delay is drawn between the
 * previous attempt's ceiling and its own, so consumers that failed together come back
 * spread out, and no delay is ever shorter than the one before. Whole seconds, as
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
  const cap = Math.min(options.maxDelaySeconds, MAX_QUEUE_DELAY_SECONDS);
  const ceiling = (n: number) => exponentialCeiling(options.initialDelaySeconds, cap, Math.max(0, n - 1));
  const high = ceiling(attempt);
  const low = attempt > 1 ? ceiling(attempt - 1) : high / 2;
  return Math.min(MAX_QUEUE_DELAY_SECONDS, Math.ceil(low + random() * (high - low)));
}
