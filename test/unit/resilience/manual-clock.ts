import type { Clock } from "../../../src/resilience/clock";
import { abortReason } from "../../../src/resilience/signal";

// A test helper, not part of src/: nothing in the Worker ever drives time by hand.

interface PendingSleep {
  readonly due: number;
  /** Tie-breaker: sleeps due at the same instant wake in the order they were started. */
  readonly seq: number;
  readonly wake: () => void;
}

/**
 * A clock for tests: time stands still until {@link ManualClock.advance} moves it, and
 * sleeps wake in due-time order as it passes them, with the clock reading each sleep's due
 * time when it wakes. Between two wake-ups pending callbacks get to run, so a sleep started
 * by a woken task is honoured within the same `advance` if it falls due inside it.
 *
 * @example
 * const clock = new ManualClock(1_000);
 * const done = clock.sleep(50);
 * await clock.advance(50); // `done` is now resolved and clock.now() === 1_050
 */
export class ManualClock implements Clock {
  #now: number;
  #seq = 0;
  /** Kept sorted by (due, seq). */
  #pending: PendingSleep[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** How many sleeps are waiting: lets a test assert that nothing was left scheduled. */
  get pendingSleeps(): number {
    return this.#pending.length;
  }

  /** The due time of the earliest pending sleep, or `undefined` when none is pending. */
  get nextDue(): number | undefined {
    return this.#pending[0]?.due;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    // A zero wait is already due: no need for anyone to advance the clock.
    if (ms <= 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        this.#pending = this.#pending.filter((p) => p !== entry);
        reject(abortReason(signal as AbortSignal));
      };
      const entry: PendingSleep = {
        due: this.#now + ms,
        seq: this.#seq++,
        wake: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#insert(entry);
    });
  }

  setTimer(ms: number, onDue: () => void): () => void {
    // Already due, as a zero sleep is: it fires once pending callbacks have run.
    if (ms <= 0) {
      let cancelled = false;
      queueMicrotask(() => {
        if (!cancelled) onDue();
      });
      return () => {
        cancelled = true;
      };
    }
    const entry: PendingSleep = { due: this.#now + Math.max(0, ms), seq: this.#seq++, wake: onDue };
    this.#insert(entry);
    return () => {
      this.#pending = this.#pending.filter((p) => p !== entry);
    };
  }

  /**
   * Moves time forward by `ms`, waking due sleeps one at a time in order, and resolves once
   * the callbacks they triggered have run.
   */
  advance(ms: number): Promise<void> {
    if (ms < 0) throw new RangeError("ManualClock cannot go backwards");
    return this.#advanceTo(this.#now + ms);
  }

  /** Advances exactly to the next pending sleep (if any) and wakes it; returns whether one was. */
  async runNext(): Promise<boolean> {
    const next = this.#pending[0];
    if (!next) return false;
    await this.#advanceTo(next.due);
    return true;
  }

  async #advanceTo(target: number): Promise<void> {
    const next = this.#pending[0];
    if (!next || next.due > target) {
      this.#now = target;
      await settle();
      return;
    }
    this.#pending.shift();
    this.#now = next.due;
    next.wake();
    await settle();
    // Recursion rather than a loop: each step must await the callbacks of the previous one.
    await this.#advanceTo(target);
  }

  #insert(entry: PendingSleep): void {
    const at = this.#pending.findIndex((p) => p.due > entry.due);
    if (at === -1) this.#pending.push(entry);
    else this.#pending.splice(at, 0, entry);
  }
}

/**
 * Waits one macrotask, so every promise callback queued so far (and those they queue) runs
 * first. A MessageChannel message rather than `setTimeout(0)`: Node clamps the latter to
 * 1 ms, which adds up over thousands of simulated sleeps.
 */
function settle(): Promise<void> {
  return new Promise<void>((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
