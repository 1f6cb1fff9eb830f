import { describe, expect, it } from "vitest";
import { ManualClock } from "./manual-clock";
import { createDeadline, deadlineOf } from "../../../src/resilience/deadline";

describe("createDeadline", () => {
  it("aborts with a TimeoutError at deadlineAt on the given clock, and registers deadlineAt", async () => {
    const clock = new ManualClock(10_000);
    const deadline = createDeadline(500, { clock });
    expect(deadline.deadlineAt).toBe(10_500);
    expect(deadlineOf(deadline.signal)).toBe(10_500);
    await clock.advance(499);
    expect(deadline.signal.aborted).toBe(false);
    await clock.advance(1);
    expect(deadline.signal.aborted).toBe(true);
    const reason = deadline.signal.reason as DOMException;
    expect(reason).toBeInstanceOf(DOMException);
    expect(reason.name).toBe("TimeoutError");
    expect(clock.pendingSleeps).toBe(0);
  });

  it("aborts with the parent's reason when the parent aborts first, and stops its timer", () => {
    const clock = new ManualClock();
    const parent = new AbortController();
    const deadline = createDeadline(1_000, { clock, parent: parent.signal });
    const reason = new Error("client went away");
    parent.abort(reason);
    expect(deadline.signal.reason).toBe(reason);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("starts aborted under an aborted parent", () => {
    const clock = new ManualClock();
    const deadline = createDeadline(1_000, { clock, parent: AbortSignal.abort(new Error("already")) });
    expect(deadline.signal.aborted).toBe(true);
    expect(clock.pendingSleeps).toBe(0);
  });

  it("dispose cancels the timer: nothing stays scheduled and the signal never fires", async () => {
    const clock = new ManualClock();
    const deadline = createDeadline(100, { clock });
    deadline.dispose();
    expect(clock.pendingSleeps).toBe(0);
    await clock.advance(1_000);
    expect(deadline.signal.aborted).toBe(false);
  });

  it("knows nothing about signals it did not create", () => {
    expect(deadlineOf(new AbortController().signal)).toBeUndefined();
    expect(deadlineOf(undefined)).toBeUndefined();
  });
});
