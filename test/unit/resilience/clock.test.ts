import { describe, expect, it } from "vitest";
import { systemClock } from "../../../src/resilience/clock";
import { ManualClock } from "./manual-clock";

describe("ManualClock", () => {
  it("stands still until advanced, then wakes sleeps in due order at their due times", async () => {
    const clock = new ManualClock(1_000);
    const woke: [string, number][] = [];
    const sleep = (name: string, ms: number) => clock.sleep(ms).then(() => woke.push([name, clock.now()]));
    const all = Promise.all([sleep("c", 30), sleep("a", 10), sleep("b", 20), sleep("a2", 10)]);
    await clock.advance(5);
    expect(woke).toEqual([]);
    expect(clock.now()).toBe(1_005);
    await clock.advance(100);
    await all;
    expect(woke).toEqual([
      ["a", 1_010],
      ["a2", 1_010],
      ["b", 1_020],
      ["c", 1_030],
    ]);
    expect(clock.now()).toBe(1_105);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("honours sleeps started by woken tasks within the same advance", async () => {
    const clock = new ManualClock();
    const times: number[] = [];
    const chain = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10);
        times.push(clock.now());
      }
    })();
    await clock.advance(25);
    expect(times).toEqual([10, 20]);
    await clock.advance(5);
    await chain;
    expect(times).toEqual([10, 20, 30]);
  });

  it("rejects a sleep with the signal's reason on abort and forgets it", async () => {
    const clock = new ManualClock();
    const controller = new AbortController();
    const reason = new Error("gone");
    const sleeping = clock.sleep(100, controller.signal);
    expect(clock.pendingSleeps).toBe(1);
    controller.abort(reason);
    await expect(sleeping).rejects.toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("rejects at once when the signal is already aborted, and resolves zero waits at once", async () => {
    const clock = new ManualClock();
    await expect(clock.sleep(10, AbortSignal.abort(new Error("before")))).rejects.toThrow("before");
    await expect(clock.sleep(0)).resolves.toBeUndefined();
    expect(clock.pendingSleeps).toBe(0);
  });

  it("runNext jumps to the next due sleep", async () => {
    const clock = new ManualClock();
    const done = clock.sleep(42);
    expect(clock.nextDue).toBe(42);
    expect(await clock.runNext()).toBe(true);
    await done;
    expect(clock.now()).toBe(42);
    expect(await clock.runNext()).toBe(false);
  });

  it("refuses to go backwards", () => {
    expect(() => new ManualClock().advance(-1)).toThrow(RangeError);
  });
});

describe("systemClock", () => {
  it("sleeps for real (briefly) and reads Date.now()", async () => {
    const before = Date.now();
    await systemClock.sleep(5);
    expect(systemClock.now()).toBeGreaterThanOrEqual(before + 4);
  });

  it("rejects with the abort reason well before the timer would fire", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const sleeping = systemClock.sleep(10_000, controller.signal);
    setTimeout(() => {
      controller.abort(new Error("cancelled"));
    }, 1);
    await expect(sleeping).rejects.toThrow("cancelled");
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it("wraps a non-Error abort reason in an AbortError", async () => {
    const error = await systemClock.sleep(10, AbortSignal.abort("why")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
    expect((error as DOMException).name).toBe("AbortError");
    expect((error as DOMException).message).toBe("why");
  });
});
