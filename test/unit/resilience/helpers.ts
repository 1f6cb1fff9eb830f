import type { Backoff } from "../../../src/resilience/backoff";

/** A deterministic random source in [0, 1) (mulberry32): the same seed, the same sequence. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Lets every queued promise callback run. */
export function flush(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/** Settles a promise into a value, so a test can inspect a rejection without try/catch. */
export async function outcome<T>(promise: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await promise };
  } catch (error) {
    return { ok: false, error };
  }
}

/** An error shaped like @neondatabase/serverless's NeonDbError. */
export function neonError(message: string, fields: { code?: string; sourceError?: Error } = {}): Error {
  return Object.assign(new Error(message), { name: "NeonDbError", ...fields });
}

/**
 * Runs a ManualClock forward one pending sleep at a time until `promise` settles. The clock
 * therefore only ever moves to times the code under test chose to wait for: if it never
 * schedules a wait past a deadline, the clock never passes the deadline.
 */
export async function drive<T>(
  clock: { runNext(): Promise<boolean> },
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  const progress = { settled: false };
  const result = outcome(promise).then((r) => {
    progress.settled = true;
    return r;
  });
  await flush();
  while (!progress.settled) {
    if (!(await clock.runNext())) throw new Error("stuck: nothing scheduled and the promise has not settled");
  }
  return result;
}

/**
 * The same delay before every retry, so a test knows when each attempt happens. Only tests
 * want it (the Worker's policies use full jitter), so it lives here rather than in src/.
 */
export function constantBackoff(delayMs: number): Backoff {
  if (!(delayMs >= 0)) throw new RangeError("delayMs must be ≥ 0");
  return { start: () => ({ next: () => delayMs }) };
}
