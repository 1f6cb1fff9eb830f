import { abortReason } from "./signal";

/**
 * Where every policy in this folder takes time from.
 *
 * Workers facts that make this necessary: inside a request `Date.now()` (and
 * `performance.now()`) is frozen while JavaScript runs and only moves forward across I/O
 * (a fetch, a timer, a storage call), as a Spectre mitigation. So time is read at decision
 * points through a Clock, never ad hoc, and tests drive a manual clock
 * (test/unit/resilience/manual-clock.ts) instead of sleeping for real.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /**
   * Resolves after `ms` milliseconds; rejects with the signal's reason as soon as `signal`
   * aborts (and at once if it already has), so no wait outlives its caller.
   */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Calls `onDue` after `ms` milliseconds, unless the returned function cancels it first. The
   * cheap form of a wait for the timers every call sets and almost always cancels (deadlines,
   * attempt timeouts): no promise, no AbortController, no abort event to dispatch.
   */
  setTimer(ms: number, onDue: () => void): () => void;
}

/**
 * The real clock: `Date.now()` and `setTimeout`. Timers are cleared on abort so an aborted
 * wait leaves nothing scheduled behind.
 *
 * @example
 * await systemClock.sleep(100, c.get("signal"));
 */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(abortReason(signal as AbortSignal));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  },
  setTimer(ms, onDue) {
    const timer = setTimeout(onDue, Math.max(0, ms));
    return () => clearTimeout(timer);
  },
};
