import { describe, expect, it } from "vitest";
import { bulkhead } from "../../../src/resilience/bulkhead";
import { BulkheadRejectedError } from "../../../src/resilience/errors";
import { type Deferred, deferred, outcome } from "./helpers";

/**
 * Queued callers poll for their slot on their own timer (never resolved from another
 * caller's context, which Workers refuse across requests), so let a few polls pass.
 */
const flush = () => new Promise((resolve) => setTimeout(resolve, 10));

/** A task that records when it starts and finishes when the test says so. */
function tasks() {
  const started: string[] = [];
  const gates = new Map<string, Deferred<string>>();
  const task = (name: string) => () => {
    started.push(name);
    const gate = deferred<string>();
    gates.set(name, gate);
    return gate.promise;
  };
  const finish = (name: string) => {
    gates.get(name)!.resolve(name);
  };
  return { started, task, finish };
}

describe("bulkhead", () => {
  it("runs up to maxConcurrent at once, queues up to maxQueue, and rejects the rest at once", async () => {
    const head = bulkhead({ maxConcurrent: 2, maxQueue: 1 });
    const { started, task, finish } = tasks();
    const a = head.execute(task("a"));
    const b = head.execute(task("b"));
    const c = head.execute(task("c"));
    await flush();
    expect(started).toEqual(["a", "b"]);
    expect([head.active, head.queued]).toEqual([2, 1]);
    const d = outcome(head.execute(task("d")));
    const rejected = await d;
    expect(rejected.ok).toBe(false);
    expect(rejected.ok ? undefined : rejected.error).toBeInstanceOf(BulkheadRejectedError);
    expect(head.rejected).toBe(1);
    finish("a");
    await expect(a).resolves.toBe("a");
    await flush();
    expect(started).toEqual(["a", "b", "c"]);
    finish("b");
    finish("c");
    await expect(Promise.all([b, c])).resolves.toEqual(["b", "c"]);
    expect([head.active, head.queued]).toEqual([0, 0]);
  });

  it("serves the queue in FIFO order, and a newcomer cannot overtake it", async () => {
    const head = bulkhead({ maxConcurrent: 1, maxQueue: 10 });
    const { started, task, finish } = tasks();
    const runs = ["first", "q1", "q2", "q3"].map((name) => head.execute(task(name)));
    await flush();
    finish("first");
    await flush();
    // A slot just changed hands: a new caller still goes to the back of the queue.
    runs.push(head.execute(task("late")));
    for (const name of ["q1", "q2", "q3"]) {
      await flush();
      finish(name);
    }
    await flush();
    finish("late");
    await Promise.all(runs);
    expect(started).toEqual(["first", "q1", "q2", "q3", "late"]);
  });

  it("a queued caller whose signal aborts leaves the queue at once, and the slot goes to the next", async () => {
    const head = bulkhead({ maxConcurrent: 1, maxQueue: 2 });
    const { started, task, finish } = tasks();
    const running = head.execute(task("running"));
    const controller = new AbortController();
    const quitter = head.execute(task("quitter"), controller.signal);
    const next = head.execute(task("next"));
    await flush();
    expect(head.queued).toBe(2);
    const reason = new Error("deadline");
    controller.abort(reason);
    await expect(quitter).rejects.toBe(reason);
    expect(head.queued).toBe(1);
    // The freed queue place is usable straight away.
    const extra = head.execute(task("extra"));
    expect(head.queued).toBe(2);
    finish("running");
    await running;
    await flush();
    finish("next");
    await next;
    await flush();
    finish("extra");
    await extra;
    expect(started).toEqual(["running", "next", "extra"]);
    expect([head.active, head.queued]).toEqual([0, 0]);
  });

  it("frees a running caller's slot as soon as its signal aborts, even if the work ignores it", async () => {
    const head = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const controller = new AbortController();
    const stuck = head.execute(() => new Promise<never>(() => undefined), controller.signal);
    const waiting = head.execute(() => Promise.resolve("ran"));
    await flush();
    controller.abort(new Error("gone"));
    await expect(stuck).rejects.toThrow("gone");
    await expect(waiting).resolves.toBe("ran");
    expect(head.active).toBe(0);
  });

  it("does not start the work of a caller that aborted while its slot was being handed over", async () => {
    const head = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const first = deferred<string>();
    const running = head.execute(() => first.promise);
    const controller = new AbortController();
    let ran = false;
    const queued = head.execute(() => {
      ran = true;
      return Promise.resolve();
    }, controller.signal);
    await flush();
    expect(head.queued).toBe(1);
    // The slot is handed over when `first` settles; abort before the waiter's next poll
    // notices: the narrowest window there is.
    first.resolve("done");
    await running;
    controller.abort(new Error("too late"));
    await expect(queued).rejects.toThrow("too late");
    expect([ran, head.active, head.queued]).toEqual([false, 0, 0]);
  });

  it("frees the slot when the work fails, and passes the error on", async () => {
    const head = bulkhead({ maxConcurrent: 1, maxQueue: 0 });
    await expect(head.execute(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    await expect(head.execute(() => { throw new Error("sync boom"); })).rejects.toThrow("sync boom");
    await expect(head.execute(() => Promise.resolve(2))).resolves.toBe(2);
    expect(head.active).toBe(0);
  });

  it("refuses an already-aborted caller without taking a slot or a queue place", async () => {
    const head = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    let ran = false;
    await expect(head.execute(() => { ran = true; return Promise.resolve(); }, AbortSignal.abort(new Error("no")))).rejects.toThrow("no");
    expect([ran, head.active, head.queued]).toEqual([false, 0, 0]);
  });

  it("never leaks slots or exceeds the limit under a storm of aborts, completions and rejections", async () => {
    const head = bulkhead({ maxConcurrent: 3, maxQueue: 5 });
    let inFlight = 0;
    let maxInFlight = 0;
    // Work that honours its signal, as the bulkhead's contract asks: it stops the moment it aborts.
    const work = (i: number, signal: AbortSignal) =>
      new Promise<number>((resolve, reject) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const onAbort = () => {
          inFlight--;
          reject(new Error("aborted"));
        };
        signal.addEventListener("abort", onAbort, { once: true });
        void flush().then(() => {
          if (signal.aborted) return;
          signal.removeEventListener("abort", onAbort);
          inFlight--;
          resolve(i);
        });
      });
    const runs: Promise<unknown>[] = [];
    let completed = 0;
    for (let i = 0; i < 200; i++) {
      const controller = new AbortController();
      runs.push(
        outcome(head.execute(({ signal }) => work(i, signal), controller.signal)).then((r) => {
          if (r.ok) completed++;
        }),
      );
      if (i % 3 === 0) controller.abort(new Error("abort"));
      if (i % 7 === 0) await flush();
    }
    await Promise.all(runs);
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect([head.active, head.queued]).toEqual([0, 0]);
    expect(head.rejected).toBeGreaterThan(0);
    expect(completed).toBeGreaterThan(0);
  });

  it("validates its options", () => {
    expect(() => bulkhead({ maxConcurrent: 0, maxQueue: 0 })).toThrow(RangeError);
    expect(() => bulkhead({ maxConcurrent: 1, maxQueue: -1 })).toThrow(RangeError);
  });
});
