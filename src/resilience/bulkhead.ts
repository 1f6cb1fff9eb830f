import { type Clock, systemClock } from "./clock";
import { BulkheadRejectedError } from "./errors";
import { abortReason, invoke, raceAbort } from "./signal";

export interface BulkheadOptions {
  /** Calls running at once (≥ 1). */
  maxConcurrent: number;
  /** Callers allowed to wait for a slot (≥ 0); beyond that, refused at once. */
  maxQueue: number;
  /** How often a queued caller checks for its slot, in ms (default 2). */
  pollMs?: number;
  clock?: Clock;
}

export interface Bulkhead {
  /**
   * Runs `fn` when a slot is free: at once, after waiting in the FIFO queue, or not at all
   * (`BulkheadRejectedError` when slots and queue are full; the abort reason when `signal`
   * aborts while waiting, which also takes the caller out of the queue).
   */
  execute<T>(fn: (context: { signal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T>;
  /** Calls holding a slot. */
  readonly active: number;
  /** Callers waiting for one. */
  readonly queued: number;
  /** Callers refused because everything was full, since creation. */
  readonly rejected: number;
}

/**
 * A per-isolate limit on concurrent calls to one dependency, with a bounded wait queue: a
 * slow dependency then holds at most `maxConcurrent` of the isolate's requests, and the
 * rest fail fast instead of piling up behind it (Workers also cap simultaneous outgoing
 * connections per request, at 6).
 *
 * A slot is freed when the call settles *or its caller's signal aborts*, whichever is
 * first: in Workers, the promise of a finished request can stay pending forever, and a
 * slot waiting for it would be lost for the isolate's lifetime. So `fn` must honour its
 * signal for the limit to bound the real load, and callers should always pass one (the
 * request's), since nothing else bounds how long a queued caller waits.
 *
 * Freed slots are handed directly to the first waiter, so a newcomer can never overtake
 * the queue. A waiter learns of its slot by polling a flag on its own timer (every
 * `pollMs`), never by being resolved from the releasing call: in Workers that call belongs
 * to another request, and a promise settled from another request's context is refused
 * ("Cannot perform I/O on behalf of a different request").
 *
 * @example
 * const neonBulkhead = bulkhead({ maxConcurrent: 4, maxQueue: 16 });
 * const rows = await neonBulkhead.execute(({ signal }) => query(signal), c.get("signal"));
 */
export function bulkhead(options: BulkheadOptions): Bulkhead {
  return new QueueingBulkhead(options);
}

interface Waiter {
  granted: boolean;
}

/** How often a queued caller looks whether its slot has been handed over. */
const DEFAULT_POLL_MS = 2;

const NEVER = new AbortController().signal;

class QueueingBulkhead implements Bulkhead {
  readonly #maxConcurrent: number;
  readonly #maxQueue: number;
  #active = 0;
  #rejected = 0;
  /** FIFO: a Set iterates in insertion order and deletes an aborted waiter in O(1). */
  readonly #queue = new Set<Waiter>();
  readonly #clock: Clock;
  readonly #pollMs: number;

  constructor(options: BulkheadOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) {
      throw new RangeError("maxConcurrent must be an integer ≥ 1");
    }
    if (!Number.isInteger(options.maxQueue) || options.maxQueue < 0) {
      throw new RangeError("maxQueue must be an integer ≥ 0");
    }
    this.#maxConcurrent = options.maxConcurrent;
    this.#maxQueue = options.maxQueue;
    this.#clock = options.clock ?? systemClock;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  }

  get active(): number {
    return this.#active;
  }

  get queued(): number {
    return this.#queue.size;
  }

  get rejected(): number {
    return this.#rejected;
  }

  async execute<T>(fn: (context: { signal: AbortSignal }) => Promise<T>, signal?: AbortSignal): Promise<T> {
    if (signal?.aborted) throw abortReason(signal);
    await this.#acquire(signal);
    try {
      // Aborted in the instant between being granted the slot and running: do not start.
      if (signal?.aborted) throw abortReason(signal);
      return await raceAbort(
        invoke(() => fn({ signal: signal ?? NEVER })),
        signal,
      );
    } finally {
      this.#release();
    }
  }

  /** Takes a slot now, or waits for one in the queue; throws when both are full. */
  #acquire(signal: AbortSignal | undefined): Promise<void> {
    // Slots are handed over while anyone waits, so a free slot means an empty queue.
    if (this.#active < this.#maxConcurrent) {
      this.#active++;
      return Promise.resolve();
    }
    if (this.#queue.size >= this.#maxQueue) {
      this.#rejected++;
      return Promise.reject(new BulkheadRejectedError(this.#maxConcurrent, this.#maxQueue));
    }
    const waiter: Waiter = { granted: false };
    this.#queue.add(waiter);
    return this.#waitFor(waiter, signal);
  }

  async #waitFor(waiter: Waiter, signal: AbortSignal | undefined): Promise<void> {
    try {
      // Each poll waits on this caller's own timer; see the class comment.
      // eslint-disable-next-line no-await-in-loop
      while (!waiter.granted) await this.#clock.sleep(this.#pollMs, signal);
    } catch (error) {
      // Aborted while queued: leave the queue, or hand on a slot granted meanwhile.
      if (waiter.granted) this.#release();
      else this.#queue.delete(waiter);
      throw error;
    }
  }

  /** Hands the slot to the first waiter, or frees it. */
  #release(): void {
    const next = this.#queue.values().next();
    if (next.done === true) {
      this.#active--;
      return;
    }
    this.#queue.delete(next.value);
    next.value.granted = true;
  }
}
