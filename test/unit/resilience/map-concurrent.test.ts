import { describe, expect, it } from "vitest";
import { mapConcurrent } from "../../../src/resilience/map-concurrent";
import { deferred, flush } from "./helpers";

describe("mapConcurrent", () => {
  it("returns results in input order whatever the completion order", async () => {
    const delays = [5, 1, 4, 2, 3, 0];
    const results = await mapConcurrent(delays, 3, async (ms) => {
      for (let i = 0; i < ms; i++) await flush();
      return ms * 10;
    });
    expect(results).toEqual(delays.map((ms) => ({ ok: true, value: ms * 10 })));
  });

  it("never has more than `limit` in flight, and uses all of it", async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const items = Array.from({ length: 50 }, (_, i) => i);
    await mapConcurrent(items, 4, async (i) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      for (let k = 0; k < (i % 5) + 1; k++) await flush();
      inFlight--;
    });
    expect(maxInFlight).toBe(4);
    expect(inFlight).toBe(0);
  });

  it("reports each failure on its own item and carries on", async () => {
    const results = await mapConcurrent([1, 2, 3, 4], 2, (n) => {
      if (n === 2) return Promise.reject(new Error("two"));
      // eslint-disable-next-line @typescript-eslint/only-throw-error
      if (n === 3) throw "three";
      return Promise.resolve(n);
    });
    expect(results[0]).toEqual({ ok: true, value: 1 });
    expect(results[1]).toMatchObject({ ok: false, error: { message: "two" } });
    expect(results[2]).toMatchObject({ ok: false, error: { message: "three" } });
    expect(results[3]).toEqual({ ok: true, value: 4 });
  });

  it("on abort starts nothing new and resolves at once; unstarted and in-flight items get the abort reason", async () => {
    const controller = new AbortController();
    const started: number[] = [];
    const gates = [deferred<number>(), deferred<number>()];
    const running = mapConcurrent(
      [0, 1, 2, 3, 4],
      2,
      (i, _index, signal) => {
        started.push(i);
        expect(signal).toBe(controller.signal);
        if (i === 0) return Promise.resolve(0);
        return gates[i - 1]?.promise ?? Promise.resolve(i);
      },
      controller.signal,
    );
    await flush();
    expect(started).toEqual([0, 1, 2]);
    const reason = new Error("deadline");
    controller.abort(reason);
    const results = await running; // the gates never open: resolving proves it did not wait
    expect(started).toEqual([0, 1, 2]);
    expect(results).toEqual([
      { ok: true, value: 0 },
      { ok: false, error: reason },
      { ok: false, error: reason },
      { ok: false, error: reason },
      { ok: false, error: reason },
    ]);
  });

  it("starts nothing when the signal is already aborted", async () => {
    let calls = 0;
    const results = await mapConcurrent([1, 2], 2, () => Promise.resolve(++calls), AbortSignal.abort(new Error("late")));
    expect(calls).toBe(0);
    expect(results.map((r) => r.ok)).toEqual([false, false]);
  });

  it("handles no items and rejects a bad limit", async () => {
    await expect(mapConcurrent([], 3, () => Promise.resolve(1))).resolves.toEqual([]);
    await expect(mapConcurrent([1], 0, () => Promise.resolve(1))).rejects.toThrow(RangeError);
  });
});
