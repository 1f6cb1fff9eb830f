import { describe, expect, it, vi } from "vitest";
import { exponentialBackoff } from "../../../src/resilience/backoff";
import { ManualClock } from "./manual-clock";
import { createDeadline } from "../../../src/resilience/deadline";
import {
  AttemptTimeoutError,
  DeadlineExceededError,
  HttpStatusError,
  isAttemptTimeoutError,
  isDeadlineExceededError,
} from "../../../src/resilience/errors";
import {
  retry,
  type GiveUpEvent,
  type GiveUpReason,
  type RetryContext,
  type RetryEvent,
  type RetryExecuteOptions,
  type RetryPolicy,
} from "../../../src/resilience/retry";
import { retryBudget } from "../../../src/resilience/retry-budget";
import { constantBackoff, drive, flush, neonError, outcome, seededRandom } from "./helpers";

const networkError = () => new TypeError("fetch failed");

/** An operation that fails with the given errors in turn, then succeeds with "ok". */
function failing(...errors: Error[]) {
  const calls: RetryContext[] = [];
  const fn = (ctx: RetryContext): Promise<string> => {
    calls.push(ctx);
    const error = errors[calls.length - 1];
    return error ? Promise.reject(error) : Promise.resolve("ok");
  };
  return { fn, calls };
}

/** An operation that never settles unless its signal aborts, and then rejects like fetch. */
function hanging() {
  const calls: RetryContext[] = [];
  const fn = (ctx: RetryContext): Promise<never> => {
    calls.push(ctx);
    return new Promise((_resolve, reject) => {
      ctx.signal.addEventListener("abort", () => {
        reject(neonError("Error connecting to database: AbortError", { sourceError: new DOMException("x", "AbortError") }));
      });
    });
  };
  return { fn, calls };
}

/**
 * A policy whose calls are counted from outside, through the per-call hooks (the way
 * src/dependencies/guard.ts turns them into metrics): calls, attempts, retries, successes,
 * failures, give-ups by reason, and how many attempts each success took.
 */
function tally(policy: RetryPolicy) {
  const giveUps: Record<GiveUpReason, number> = {
    "not-idempotent": 0,
    "not-retryable": 0,
    "max-attempts": 0,
    "retry-after-too-long": 0,
    deadline: 0,
    budget: 0,
    aborted: 0,
  };
  const counters = { calls: 0, attempts: 0, retries: 0, successes: 0, failures: 0, giveUps };
  const succeededAfter: number[] = [];
  async function execute<T>(fn: (context: RetryContext) => Promise<T>, options?: AbortSignal | RetryExecuteOptions): Promise<T> {
    const call = options instanceof AbortSignal ? { signal: options } : (options ?? {});
    let attempts = 0;
    counters.calls++;
    const value = await policy.execute(
      (context) => {
        counters.attempts++;
        attempts = context.attempt;
        return fn(context);
      },
      {
        ...call,
        onRetry: (event) => {
          counters.retries++;
          call.onRetry?.(event);
        },
        onGiveUp: (event) => {
          counters.failures++;
          giveUps[event.reason]++;
          call.onGiveUp?.(event);
        },
      },
    );
    counters.successes++;
    succeededAfter.push(attempts);
    return value;
  }
  return { execute, counters, succeededAfter };
}

describe("retry: what is retried", () => {
  it("returns the first success without waiting", async () => {
    const clock = new ManualClock();
    const policy = tally(retry({ maxAttempts: 3, idempotent: true, clock }));
    const { fn, calls } = failing();
    await expect(policy.execute(fn)).resolves.toBe("ok");
    expect(calls.map((c) => c.attempt)).toEqual([1]);
    expect(clock.now()).toBe(0);
    expect(policy.counters).toMatchObject({ calls: 1, attempts: 1, retries: 0, successes: 1, failures: 0 });
  });

  it("retries transient failures with the backoff's delays, then succeeds", async () => {
    const clock = new ManualClock();
    const onRetry = vi.fn<(event: RetryEvent) => void>();
    const policy = tally(retry({ maxAttempts: 4, idempotent: true, clock, backoff: constantBackoff(100) }));
    const { fn, calls } = failing(networkError(), new HttpStatusError(503));
    const result = await drive(clock, policy.execute(fn, { onRetry }));
    expect(result).toEqual({ ok: true, value: "ok" });
    expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(clock.now()).toBe(200);
    expect(onRetry.mock.calls.map(([e]) => [e.attempt, e.delayMs, e.error.name])).toEqual([
      [1, 100, "TypeError"],
      [2, 100, "HttpStatusError"],
    ]);
    expect(policy.succeededAfter).toEqual([3]);
    expect(policy.counters).toMatchObject({ calls: 1, attempts: 3, retries: 2, successes: 1 });
  });

  it("gives up at once on an error that is not retryable (a SQL error)", async () => {
    const onGiveUp = vi.fn<(event: GiveUpEvent) => void>();
    const policy = tally(retry({ maxAttempts: 5, idempotent: true, clock: new ManualClock() }));
    const unique = neonError("duplicate key value violates unique constraint", { code: "23505" });
    const { fn, calls } = failing(unique);
    await expect(policy.execute(fn, { onGiveUp })).rejects.toBe(unique);
    expect(calls).toHaveLength(1);
    expect(onGiveUp).toHaveBeenCalledWith({ attempts: 1, reason: "not-retryable", error: unique });
    expect(policy.counters.giveUps["not-retryable"]).toBe(1);
  });

  it("never retries a non-idempotent operation, and lets a call override the policy", async () => {
    const clock = new ManualClock();
    const writes = tally(retry({ maxAttempts: 5, idempotent: false, clock, backoff: constantBackoff(0) }));
    const first = failing(networkError());
    await expect(writes.execute(first.fn)).rejects.toThrow("fetch failed");
    expect(first.calls).toHaveLength(1);
    expect(writes.counters.giveUps["not-idempotent"]).toBe(1);

    const upsert = failing(networkError());
    await expect(writes.execute(upsert.fn, { idempotent: true })).resolves.toBe("ok");
    expect(upsert.calls).toHaveLength(2);

    const reads = retry({ maxAttempts: 5, idempotent: true, clock, backoff: constantBackoff(0) });
    const insert = failing(networkError());
    await expect(reads.execute(insert.fn, { idempotent: false })).rejects.toThrow("fetch failed");
    expect(insert.calls).toHaveLength(1);
  });

  it("stops after maxAttempts with the last error", async () => {
    const clock = new ManualClock();
    const policy = tally(retry({ maxAttempts: 3, idempotent: true, clock, backoff: constantBackoff(10) }));
    const last = new HttpStatusError(502);
    const { fn, calls } = failing(networkError(), networkError(), last, networkError());
    const result = await drive(clock, policy.execute(fn));
    expect(result).toEqual({ ok: false, error: last });
    expect(calls).toHaveLength(3);
    expect(policy.counters.giveUps["max-attempts"]).toBe(1);
  });

  it("turns synchronous throws and non-Error values into rejections", async () => {
    const policy = retry({ maxAttempts: 2, idempotent: true, clock: new ManualClock(), backoff: constantBackoff(0) });
    let calls = 0;
    const result = await policy.execute(() => {
      calls++;
      if (calls === 1) throw networkError();
      return Promise.resolve(calls);
    });
    expect(result).toBe(2);
    const thrown = await outcome(
      policy.execute(() => {
        // eslint-disable-next-line @typescript-eslint/only-throw-error
        throw "a string";
      }),
    );
    expect(thrown.ok).toBe(false);
    expect(thrown.ok ? undefined : thrown.error).toBeInstanceOf(Error);
  });

  it("validates its options", () => {
    expect(() => retry({ maxAttempts: 0, idempotent: true })).toThrow(RangeError);
    expect(() => retry({ maxAttempts: 1.5, idempotent: true })).toThrow(RangeError);
    expect(() => retry({ maxAttempts: 2, idempotent: true, attemptTimeoutMs: 0 })).toThrow(RangeError);
  });
});

describe("retry: Retry-After", () => {
  it("waits at least the error's retryAfterMs, even when the backoff is shorter", async () => {
    const clock = new ManualClock();
    const policy = retry({ maxAttempts: 3, idempotent: true, clock, backoff: constantBackoff(10) });
    const { fn, calls } = failing(new HttpStatusError(429, { retryAfterMs: 2_000 }));
    const running = policy.execute(fn);
    await flush();
    await clock.advance(1_999);
    expect(calls).toHaveLength(1);
    await clock.advance(1);
    await expect(running).resolves.toBe("ok");
    expect(calls).toHaveLength(2);
  });

  it("keeps the backoff when it is longer than Retry-After", async () => {
    const clock = new ManualClock();
    const policy = retry({ maxAttempts: 3, idempotent: true, clock, backoff: constantBackoff(500) });
    const { fn } = failing(new HttpStatusError(503, { retryAfterMs: 100 }));
    await drive(clock, policy.execute(fn));
    expect(clock.now()).toBe(500);
  });

  it("gives up at once when Retry-After asks for more than maxRetryAfterMs", async () => {
    const clock = new ManualClock();
    const policy = tally(retry({ maxAttempts: 3, idempotent: true, clock, maxRetryAfterMs: 5_000 }));
    const error = new HttpStatusError(503, { retryAfterMs: 60_000 });
    const { fn, calls } = failing(error);
    await expect(policy.execute(fn)).rejects.toBe(error);
    expect(calls).toHaveLength(1);
    expect(clock.pendingSleeps).toBe(0);
    expect(policy.counters.giveUps["retry-after-too-long"]).toBe(1);
  });
});

describe("retry: deadlines", () => {
  it("never starts a wait that would end past deadlineAt: gives up at once with the last error", async () => {
    const clock = new ManualClock(0);
    const onGiveUp = vi.fn<(event: GiveUpEvent) => void>();
    const policy = retry({ maxAttempts: 10, idempotent: true, clock, backoff: constantBackoff(300) });
    const started: number[] = [];
    const errors = Array.from({ length: 10 }, (_, i) => new HttpStatusError(503, { message: `failure ${i}` }));
    const result = await drive(
      clock,
      policy.execute(() => {
        started.push(clock.now());
        return Promise.reject(errors[started.length - 1]!);
      }, { deadlineAt: 1_000, onGiveUp }),
    );
    // Attempts at 0, 300, 600, 900; a fifth would need a wait to 1200.
    expect(started).toEqual([0, 300, 600, 900]);
    expect(result).toEqual({ ok: false, error: errors[3] });
    expect(clock.now()).toBe(900);
    expect(clock.pendingSleeps).toBe(0);
    expect(onGiveUp).toHaveBeenCalledWith({ attempts: 4, reason: "deadline", error: errors[3] });
  });

  it("never lets the clock pass the deadline, over 300 random backoffs and deadlines", async () => {
    for (let seed = 0; seed < 300; seed++) {
      const random = seededRandom(seed);
      const clock = new ManualClock(1_000_000);
      const deadlineAt = clock.now() + 50 + Math.floor(random() * 2_000);
      const policy = retry({
        maxAttempts: 50,
        idempotent: true,
        clock,
        backoff: exponentialBackoff({ initialDelayMs: 10, maxDelayMs: 800, random }),
      });
      const started: number[] = [];
      const result = await drive(
        clock,
        policy.execute(() => {
          started.push(clock.now());
          return Promise.reject(new HttpStatusError(503, { retryAfterMs: random() < 0.2 ? 400 : undefined }));
        }, { deadlineAt }),
      );
      expect(result.ok).toBe(false);
      expect(clock.now()).toBeLessThan(deadlineAt);
      expect(Math.max(...started)).toBeLessThan(deadlineAt);
      expect(clock.pendingSleeps).toBe(0);
    }
  });

  it("takes the deadline from a signal made by createDeadline", async () => {
    const clock = new ManualClock(0);
    const policy = retry({ maxAttempts: 10, idempotent: true, clock, backoff: constantBackoff(400) });
    const deadline = createDeadline(1_000, { clock });
    const started: number[] = [];
    const result = await drive(
      clock,
      policy.execute(() => {
        started.push(clock.now());
        return Promise.reject(networkError());
      }, deadline.signal),
    );
    expect(started).toEqual([0, 400, 800]);
    expect(result.ok).toBe(false);
    expect(clock.now()).toBe(800);
    deadline.dispose();
  });

  it("ends an attempt that runs into deadlineAt with a DeadlineExceededError, not retried", async () => {
    const clock = new ManualClock(0);
    const policy = tally(retry({ maxAttempts: 5, idempotent: true, clock, attemptTimeoutMs: 5_000 }));
    const { fn, calls } = hanging();
    const result = await drive(clock, policy.execute(fn, { deadlineAt: 700 }));
    expect(result.ok).toBe(false);
    expect(isDeadlineExceededError(result.ok ? undefined : result.error)).toBe(true);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(clock.now()).toBe(700);
    expect(policy.counters.giveUps.deadline).toBe(1);
  });

  it("does not start when deadlineAt has already passed", async () => {
    const clock = new ManualClock(5_000);
    const policy = retry({ maxAttempts: 3, idempotent: true, clock });
    const { fn, calls } = failing();
    await expect(policy.execute(fn, { deadlineAt: 5_000 })).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(calls).toHaveLength(0);
  });
});

describe("retry: attempt timeouts", () => {
  it("aborts a slow attempt's signal with AttemptTimeoutError and retries it", async () => {
    const clock = new ManualClock(0);
    const policy = retry({ maxAttempts: 2, idempotent: true, clock, attemptTimeoutMs: 250, backoff: constantBackoff(50) });
    const { fn, calls } = hanging();
    const result = await drive(clock, policy.execute(fn));
    expect(calls).toHaveLength(2);
    expect(calls.every((c) => c.signal.aborted && isAttemptTimeoutError(c.signal.reason))).toBe(true);
    // The error Neon wrapped the abort in is replaced by what actually happened.
    expect(result.ok ? undefined : result.error).toBeInstanceOf(AttemptTimeoutError);
    expect(clock.now()).toBe(250 + 50 + 250);
  });

  it("ends an attempt on time even when the operation ignores its signal", async () => {
    const clock = new ManualClock(0);
    const policy = retry({ maxAttempts: 1, idempotent: true, clock, attemptTimeoutMs: 100 });
    const result = await drive(clock, policy.execute(() => new Promise<never>(() => undefined)));
    expect(isAttemptTimeoutError(result.ok ? undefined : result.error)).toBe(true);
    expect(clock.now()).toBe(100);
  });

  it("leaves no timer behind after a fast attempt", async () => {
    const clock = new ManualClock(0);
    const policy = retry({ maxAttempts: 1, idempotent: true, clock, attemptTimeoutMs: 100 });
    await policy.execute(() => Promise.resolve(1), { deadlineAt: 10_000 });
    expect(clock.pendingSleeps).toBe(0);
  });
});

describe("retry: the caller's signal", () => {
  it("stops at once when the caller aborts during an attempt, with the abort reason, never retrying it", async () => {
    const clock = new ManualClock(0);
    const policy = tally(retry({ maxAttempts: 5, idempotent: true, clock, backoff: constantBackoff(0) }));
    const { fn, calls } = hanging();
    const controller = new AbortController();
    const running = policy.execute(fn, controller.signal);
    await flush();
    const reason = new DOMException("client went away", "AbortError");
    controller.abort(reason);
    // Neon turns the abort into "Error connecting to database", which looks retryable: it must not be.
    await expect(running).rejects.toBe(reason);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(clock.now()).toBe(0);
    expect(policy.counters.giveUps.aborted).toBe(1);
  });

  it("stops at once when the caller aborts during a wait, leaving nothing scheduled", async () => {
    const clock = new ManualClock(0);
    const policy = retry({ maxAttempts: 5, idempotent: true, clock, backoff: constantBackoff(10_000) });
    const { fn, calls } = failing(networkError(), networkError());
    const controller = new AbortController();
    const running = policy.execute(fn, controller.signal);
    await flush();
    expect(clock.pendingSleeps).toBe(1);
    controller.abort(new Error("deadline"));
    await expect(running).rejects.toThrow("deadline");
    expect(calls).toHaveLength(1);
    expect(clock.pendingSleeps).toBe(0);
    expect(clock.now()).toBe(0);
  });

  it("does not call the operation when the signal is already aborted", async () => {
    const policy = retry({ maxAttempts: 3, idempotent: true, clock: new ManualClock() });
    const { fn, calls } = failing();
    await expect(policy.execute(fn, AbortSignal.abort(new Error("gone")))).rejects.toThrow("gone");
    expect(calls).toHaveLength(0);
  });
});

describe("retry: budget", () => {
  it("caps amplification during a full outage: 1,000 failing calls, ratio 0.1 → at most 100 + min retries", async () => {
    const clock = new ManualClock(0);
    const budget = retryBudget({ ratio: 0.1, minRetriesPerWindow: 5, windowMs: 60_000, clock });
    const policy = tally(retry({ maxAttempts: 3, idempotent: true, clock, budget, backoff: constantBackoff(0) }));
    let attempts = 0;
    for (let i = 0; i < 1_000; i++) {
      await outcome(
        policy.execute(() => {
          attempts++;
          return Promise.reject(new HttpStatusError(503));
        }),
      );
    }
    const retries = attempts - 1_000;
    expect(retries).toBeLessThanOrEqual(100 + 5);
    // The budget is spent, not withheld: retries did happen, up to the allowance.
    expect(retries).toBeGreaterThanOrEqual(100);
    expect(policy.counters.retries).toBe(retries);
    expect(policy.counters.giveUps.budget).toBeGreaterThan(800);
    expect(budget.stats()).toMatchObject({ calls: 1_000, retries });
  });

  it("spends budget only on retries that happen", async () => {
    const clock = new ManualClock(0);
    const budget = retryBudget({ ratio: 0, minRetriesPerWindow: 1, windowMs: 60_000, clock });
    const policy = retry({ maxAttempts: 3, idempotent: true, clock, budget, backoff: constantBackoff(500) });
    // A non-retryable error and a deadline give-up take nothing from the budget.
    await outcome(policy.execute(() => Promise.reject(neonError("bad", { code: "22P02" }))));
    await outcome(policy.execute(() => Promise.reject(networkError()), { deadlineAt: 100 }));
    expect(budget.stats().retries).toBe(0);
    const { fn, calls } = failing(networkError());
    await drive(clock, policy.execute(fn));
    expect(calls).toHaveLength(2);
    expect(budget.stats().retries).toBe(1);
  });
});
