/**
 * Small AbortSignal helpers shared by the policies. An abort must end a wait *at once*, even
 * when the awaited work ignores its signal, so every wait in this folder goes through
 * {@link raceAbort}.
 */

/**
 * The error a wait rejects with when `signal` aborts: the signal's own reason when it is an
 * Error (so `AbortSignal.timeout()` keeps its `TimeoutError` and the error handler can map it
 * to a 504), otherwise an `AbortError` DOMException carrying the reason in its message.
 *
 * @example
 * if (signal.aborted) throw abortReason(signal);
 */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const message = typeof reason === "string" ? reason : "The operation was aborted.";
  return new DOMException(message, "AbortError");
}

/**
 * Settles like `promise`, or rejects with the abort reason as soon as `signal` aborts,
 * whichever comes first. The losing promise gets a no-op rejection handler, so an abandoned
 * operation that fails later is not reported as an unhandled rejection.
 *
 * @example
 * const rows = await raceAbort(sql`select 1`, signal);
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    promise.catch(ignore);
    return Promise.reject(abortReason(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      promise.catch(ignore);
      reject(abortReason(signal));
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(toError(error));
      },
    );
  });
}

/** Runs `fn` so that a synchronous throw becomes a rejection, like an `async` function would. */
export function invoke<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return fn();
  } catch (error) {
    return Promise.reject(toError(error));
  }
}

/**
 * Passes Errors through and wraps anything else thrown, so rejections are always Errors
 * (what callers' `catch` blocks and loggers expect). The original value stays as `cause`.
 */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : "Non-error value thrown", { cause: value });
}

function ignore(): void {
  // The result of an abandoned operation has nobody left to report to.
}
