import { type Backoff, exponentialBackoff } from "./backoff";
import { isTransientError, retryAfterOf } from "./classify";
import { type Clock, systemClock } from "./clock";
import { deadlineOf } from "./deadline";
import { AttemptTimeoutError, DeadlineExceededError, isDeadlineExceededError } from "./errors";
import type { RetryBudget } from "./retry-budget";
import { abortReason, invoke, raceAbort } from "./signal";

/** What an attempt gets: its number (1-based) and a signal that aborts when it must stop. */
export interface RetryContext {
  attempt: number;
  /** Aborts when the caller's signal does, the attempt's own timeout fires, or the deadline passes. */
  signal: AbortSignal;
}

/** Per-call options of {@link RetryPolicy.execute}. */
export interface RetryExecuteOptions {
  /** The caller's signal (usually the request's): an abort stops everything at once. */
  signal?: AbortSignal;
  /**
   * Absolute deadline (ms, the clock's epoch). Defaults to the one registered for `signal`
   * by `createDeadline`; when both exist the earlier wins.
   */
  deadlineAt?: number;
  /** Overrides the policy's `idempotent` for this call (e.g. `false` for a write). */
  idempotent?: boolean;
  /**
   * Called before each wait. Per call rather than per policy, because the caller knows what
   * the policy does not (the dependency, the request, whether metrics are on). Must not throw.
   */
  onRetry?: (event: RetryEvent) => void;
  /** Called when the call ends in an error, with the reason. Must not throw. */
  onGiveUp?: (event: GiveUpEvent) => void;
}

/** Why a call ended with an error rather than another attempt. */
export type GiveUpReason =
  | "not-idempotent"
  | "not-retryable"
  | "max-attempts"
  | "retry-after-too-long"
  | "deadline"
  | "budget"
  | "aborted";

export interface RetryEvent {
  /** The attempt that just failed (1-based). */
  attempt: number;
  /** How long the policy will wait before the next one. */
  delayMs: number;
  error: Error;
}

export interface GiveUpEvent {
  /** Attempts made (0 when the call was aborted or past its deadline before the first). */
  attempts: number;
  reason: GiveUpReason;
  /** What the call rejects with. */
  error: Error;
}

export interface RetryOptions {
  /** Attempts in total, the first included (≥ 1). */
  maxAttempts: number;
  /**
   * Whether repeating the operation is safe. Required on purpose: a write that failed with a
   * network error may have been applied, and repeating it would apply it twice. Calls can
   * override it (`execute(fn, { idempotent: false })`).
   */
  idempotent: boolean;
  /** Default: full-jitter exponential, 50 ms doubling up to 2 s. */
  backoff?: Backoff;
  /** Default {@link isTransientError}. */
  isRetryable?: (error: Error) => boolean;
  /** Time limit of each attempt (ms). On expiry the attempt's signal aborts with an `AttemptTimeoutError` (retryable). */
  attemptTimeoutMs?: number;
  /**
   * An upstream asking (Retry-After) for a longer wait than this (ms) is not waited for: the
   * call gives up at once. Default 30 000.
   */
  maxRetryAfterMs?: number;
  /** Shared by the calls to one dependency in this isolate; no retry when it says no. */
  budget?: RetryBudget;
  clock?: Clock;
}

/**
 * A retry policy: runs an operation up to `maxAttempts` times while its failures are
 * transient, waiting by `backoff` between attempts.
 */
export interface RetryPolicy {
  /**
   * Runs `fn` until it succeeds or the policy gives up, and rejects with the last attempt's
   * error, or with the abort reason when the caller's signal aborts.
   */
  execute<T>(fn: (context: RetryContext) => Promise<T>, options?: AbortSignal | RetryExecuteOptions): Promise<T>;
}

/**
 * Creates a retry policy. Guarantees, in the order they are checked after a failed attempt:
 * - a caller abort ends the call at once, during an attempt or a wait, with the abort reason;
 * - only idempotent operations and retryable errors are retried, at most `maxAttempts` times;
 * - an error's `retryAfterMs` (Retry-After) is the minimum wait, unless it exceeds `maxRetryAfterMs`;
 * - a wait that would end at or after the deadline is not started: the call gives up at once
 *   with the last error, so no time is slept that could not be used;
 * - every retry takes one unit of the retry budget; none left, no retry.
 *
 * @example
 * const neonRetry = retry({ maxAttempts: 3, idempotent: true, attemptTimeoutMs: 1_500, budget });
 * const rows = await neonRetry.execute(({ signal }) => sql`select * from products`, c.get("signal"));
 * await neonRetry.execute(() => sql`insert into products …`, { signal, idempotent: false });
 */
export function retry(options: RetryOptions): RetryPolicy {
  return new Retry(options);
}

interface Call {
  readonly signal: AbortSignal | undefined;
  readonly deadlineAt: number | undefined;
  readonly idempotent: boolean;
  readonly delays: { next(): number };
  readonly onRetry: ((event: RetryEvent) => void) | undefined;
  readonly onGiveUp: ((event: GiveUpEvent) => void) | undefined;
}

class Retry implements RetryPolicy {
  readonly #options: RetryOptions;
  readonly #clock: Clock;
  readonly #backoff: Backoff;
  readonly #isRetryable: (error: Error) => boolean;
  readonly #maxRetryAfterMs: number;

  constructor(options: RetryOptions) {
    if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) {
      throw new RangeError("maxAttempts must be an integer ≥ 1");
    }
    if (options.attemptTimeoutMs !== undefined && !(options.attemptTimeoutMs > 0)) {
      throw new RangeError("attemptTimeoutMs must be > 0");
    }
    this.#options = options;
    this.#clock = options.clock ?? systemClock;
    this.#backoff = options.backoff ?? exponentialBackoff({ initialDelayMs: 50, maxDelayMs: 2_000 });
    this.#isRetryable = options.isRetryable ?? isTransientError;
    this.#maxRetryAfterMs = options.maxRetryAfterMs ?? 30_000;
  }

  execute<T>(fn: (context: RetryContext) => Promise<T>, options?: AbortSignal | RetryExecuteOptions): Promise<T> {
    const { signal, deadlineAt, idempotent, onRetry, onGiveUp } = options instanceof AbortSignal ? { signal: options } : (options ?? {});
    const deadlines = [deadlineAt, deadlineOf(signal)].filter((d): d is number => d !== undefined);
    const call: Call = {
      signal,
      deadlineAt: deadlines.length > 0 ? Math.min(...deadlines) : undefined,
      idempotent: idempotent ?? this.#options.idempotent,
      delays: this.#backoff.start(),
      onRetry,
      onGiveUp,
    };
    this.#options.budget?.recordCall();
    return this.#run(fn, call, 1);
  }

  async #run<T>(fn: (context: RetryContext) => Promise<T>, call: Call, attempt: number): Promise<T> {
    const { signal, deadlineAt } = call;
    if (signal?.aborted) throw giveUp(call, "aborted", attempt - 1, abortReason(signal));
    if (deadlineAt !== undefined && this.#clock.now() >= deadlineAt) {
      throw giveUp(call, "deadline", attempt - 1, new DeadlineExceededError(deadlineAt));
    }

    let error: Error;
    try {
      return await this.#attempt(fn, call, attempt);
    } catch (thrown) {
      error = thrown as Error; // #attempt only rejects with Errors (see signal.ts)
    }

    const reason = this.#verdict(error, call, attempt);
    if (reason !== undefined) throw giveUp(call, reason.why, attempt, reason.error);

    const delayMs = Math.max(call.delays.next(), retryAfterOf(error) ?? 0);
    if (deadlineAt !== undefined && this.#clock.now() + delayMs >= deadlineAt) {
      throw giveUp(call, "deadline", attempt, error);
    }
    // Checked last, so budget is only spent on retries that will really happen.
    if (this.#options.budget && !this.#options.budget.tryAcquireRetry()) {
      throw giveUp(call, "budget", attempt, error);
    }

    call.onRetry?.({ attempt, delayMs, error });
    try {
      await this.#clock.sleep(delayMs, signal);
    } catch {
      throw giveUp(call, "aborted", attempt, abortReason(signal as AbortSignal));
    }
    return this.#run(fn, call, attempt + 1);
  }

  /** Why the call must stop after a failed attempt, before any waiting is considered. */
  #verdict(error: Error, call: Call, attempt: number): { why: GiveUpReason; error: Error } | undefined {
    // The caller's own abort is never retried, whatever the error looks like.
    if (call.signal?.aborted) return { why: "aborted", error: abortReason(call.signal) };
    if (isDeadlineExceededError(error)) return { why: "deadline", error };
    if (!call.idempotent) return { why: "not-idempotent", error };
    if (!this.#isRetryable(error)) return { why: "not-retryable", error };
    if (attempt >= this.#options.maxAttempts) return { why: "max-attempts", error };
    const hint = retryAfterOf(error);
    if (hint !== undefined && hint > this.#maxRetryAfterMs) return { why: "retry-after-too-long", error };
    return undefined;
  }

  /**
   * One attempt, bounded by the caller's signal, the attempt timeout and the deadline. It
   * settles as soon as its signal aborts even if `fn` ignores the signal: the abandoned
   * promise is left to the runtime (in Workers, cancelled with the request).
   */
  async #attempt<T>(fn: (context: RetryContext) => Promise<T>, call: Call, attempt: number): Promise<T> {
    const controller = new AbortController();
    const { signal: caller, deadlineAt } = call;
    const onCallerAbort = (): void => {
      controller.abort(caller?.reason);
    };
    caller?.addEventListener("abort", onCallerAbort, { once: true });

    const limit = this.#limit(deadlineAt);
    const cancelTimer = limit === undefined ? undefined : this.#clock.setTimer(limit.ms, () => controller.abort(limit.reason()));

    try {
      return await raceAbort(
        invoke(() => fn({ attempt, signal: controller.signal })),
        controller.signal,
      );
    } catch (error) {
      // Whatever `fn` threw after its signal fired (Neon wraps it, fetch throws an AbortError),
      // the cause is the abort: report that.
      throw controller.signal.aborted ? abortReason(controller.signal) : error;
    } finally {
      cancelTimer?.();
      caller?.removeEventListener("abort", onCallerAbort);
    }
  }

  /** The sooner of the attempt timeout and the deadline, as a wait and the error it means. */
  #limit(deadlineAt: number | undefined): { ms: number; reason: () => Error } | undefined {
    const timeout = this.#options.attemptTimeoutMs;
    const untilDeadline = deadlineAt === undefined ? undefined : deadlineAt - this.#clock.now();
    if (untilDeadline !== undefined && (timeout === undefined || untilDeadline <= timeout)) {
      return { ms: untilDeadline, reason: () => new DeadlineExceededError(deadlineAt as number) };
    }
    if (timeout !== undefined) return { ms: timeout, reason: () => new AttemptTimeoutError(timeout) };
    return undefined;
  }
}

/** Tells the call's observer why it ends, and returns the error it ends with. */
function giveUp(call: Call, reason: GiveUpReason, attempts: number, error: Error): Error {
  call.onGiveUp?.({ attempts, reason, error });
  return error;
}
