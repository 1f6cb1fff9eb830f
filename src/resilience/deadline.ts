import { type Clock, systemClock } from "./clock";

/**
 * A request's time budget as both an AbortSignal (to cancel I/O) and an absolute time (to
 * *plan*: a retry policy will not start a wait that would end past it). An AbortSignal alone
 * does not say when it will fire, so the absolute time is remembered for the signal and
 * {@link deadlineOf} finds it again.
 */
export interface Deadline {
  /** Aborts with a `TimeoutError` DOMException at `deadlineAt`, or with the parent's reason. */
  readonly signal: AbortSignal;
  /** Absolute time (ms, the clock's epoch) at which the budget runs out. */
  readonly deadlineAt: number;
  /** Cancels the timer (call when the request is done, so nothing stays scheduled). */
  dispose(): void;
}

const deadlines = new WeakMap<AbortSignal, number>();

/**
 * Creates a deadline `timeoutMs` from now, driven by `clock` (so tests can use a
 * ManualClock), that also aborts when `parent` does. Its signal is registered: a retry
 * policy handed this signal knows the deadline without being told.
 *
 * The timeout's reason is a `TimeoutError` DOMException, the same as `AbortSignal.timeout()`,
 * so an error handler that maps a timed-out request signal to 504 keeps working.
 *
 * @example
 * const deadline = createDeadline(5_000, { parent: request.signal });
 * try {
 *   return await policy.execute(({ signal }) => fetch(url, { signal }), deadline.signal);
 * } finally {
 *   deadline.dispose();
 * }
 */
export function createDeadline(timeoutMs: number, options: { clock?: Clock; parent?: AbortSignal } = {}): Deadline {
  const clock = options.clock ?? systemClock;
  const deadlineAt = clock.now() + timeoutMs;
  const controller = new AbortController();
  const parent = options.parent;
  let cancelTimer: (() => void) | undefined;

  const onParentAbort = (): void => {
    cancelTimer?.();
    controller.abort(parent?.reason);
  };
  const dispose = (): void => {
    cancelTimer?.();
    cancelTimer = undefined;
    parent?.removeEventListener("abort", onParentAbort);
  };

  if (parent?.aborted) onParentAbort();
  else parent?.addEventListener("abort", onParentAbort, { once: true });

  if (!controller.signal.aborted) {
    cancelTimer = clock.setTimer(Math.max(0, timeoutMs), () => {
      cancelTimer = undefined;
      controller.abort(new DOMException(`Deadline of ${timeoutMs} ms exceeded`, "TimeoutError"));
      dispose();
    });
  }

  deadlines.set(controller.signal, deadlineAt);
  return { signal: controller.signal, deadlineAt, dispose };
}

/**
 * The absolute deadline registered for `signal` by {@link createDeadline}, or `undefined`.
 * Signals derived from it (`AbortSignal.any`) are not registered: pass the deadline's own
 * signal, or `deadlineAt` explicitly.
 *
 * @example
 * const at = deadlineOf(signal) ?? Number.POSITIVE_INFINITY;
 */
export function deadlineOf(signal: AbortSignal | undefined): number | undefined {
  return signal ? deadlines.get(signal) : undefined;
}
