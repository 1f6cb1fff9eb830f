import { describe, expect, it } from "vitest";
import { abortReason, raceAbort } from "../../../src/resilience/signal";
import { deferred, flush } from "./helpers";

describe("raceAbort", () => {
  it("settles like the promise when no abort comes", async () => {
    const controller = new AbortController();
    await expect(raceAbort(Promise.resolve(1), controller.signal)).resolves.toBe(1);
    await expect(raceAbort(Promise.reject(new Error("x")), controller.signal)).rejects.toThrow("x");
    await expect(raceAbort(Promise.resolve(2), undefined)).resolves.toBe(2);
  });

  it("rejects with the abort reason as soon as the signal aborts, and swallows the late failure", async () => {
    const controller = new AbortController();
    const work = deferred<number>();
    const raced = raceAbort(work.promise, controller.signal);
    const reason = new Error("stop");
    controller.abort(reason);
    await expect(raced).rejects.toBe(reason);
    // A later rejection of the abandoned work must not surface as unhandled.
    work.reject(new Error("late"));
    await flush();
  });

  it("rejects at once for an already-aborted signal", async () => {
    await expect(raceAbort(new Promise(() => undefined), AbortSignal.abort(new Error("pre")))).rejects.toThrow("pre");
  });
});

describe("abortReason", () => {
  it("keeps Error reasons (a TimeoutError stays a TimeoutError) and wraps the rest", () => {
    const timeout = new DOMException("t", "TimeoutError");
    expect(abortReason(AbortSignal.abort(timeout))).toBe(timeout);
    const wrapped = abortReason(AbortSignal.abort(42));
    expect(wrapped).toBeInstanceOf(DOMException);
    expect(wrapped.name).toBe("AbortError");
    expect(abortReason(AbortSignal.abort()).name).toBe("AbortError");
  });
});
