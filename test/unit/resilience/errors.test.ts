import { describe, expect, it } from "vitest";
import {
  AttemptTimeoutError,
  BrokenCircuitError,
  BulkheadRejectedError,
  DeadlineExceededError,
  HttpStatusError,
  isAttemptTimeoutError,
  isBrokenCircuitError,
  isBulkheadRejectedError,
  isDeadlineExceededError,
  isHttpStatusError,
} from "../../../src/resilience/errors";

describe("resilience errors", () => {
  it("carry their data, a name and a readable message", () => {
    const broken = new BrokenCircuitError("neon", 1_500, "HALF_OPEN");
    expect(broken).toBeInstanceOf(Error);
    expect(broken).toMatchObject({ name: "BrokenCircuitError", dependency: "neon", retryAfterMs: 1_500, state: "HALF_OPEN" });
    expect(broken.message).toContain("neon");
    expect(new BrokenCircuitError("redis", 10).state).toBe("OPEN");
    expect(new BulkheadRejectedError(4, 8)).toMatchObject({ name: "BulkheadRejectedError", maxConcurrent: 4, maxQueue: 8 });
    expect(new DeadlineExceededError(123)).toMatchObject({ name: "DeadlineExceededError", deadlineAt: 123 });
    expect(new DeadlineExceededError(Number.POSITIVE_INFINITY).message).toContain("Infinity");
    expect(new AttemptTimeoutError(250)).toMatchObject({ name: "AttemptTimeoutError", timeoutMs: 250 });
    const http = new HttpStatusError(503, { retryAfterMs: 2_000, cause: "x" });
    expect(http).toMatchObject({ name: "HttpStatusError", status: 503, retryAfterMs: 2_000, cause: "x" });
  });

  it("guards recognise their own error (also rebuilt from JSON) and nothing else", () => {
    const cases = [
      [isBrokenCircuitError, new BrokenCircuitError("neon", 1)],
      [isBulkheadRejectedError, new BulkheadRejectedError(1, 1)],
      [isDeadlineExceededError, new DeadlineExceededError(1)],
      [isAttemptTimeoutError, new AttemptTimeoutError(1)],
      [isHttpStatusError, new HttpStatusError(500)],
    ] as const;
    for (const [guard, error] of cases) {
      expect(guard(error)).toBe(true);
      // Marker fields survive a copy through JSON, where instanceof would not.
      expect(guard(JSON.parse(JSON.stringify(error)))).toBe(true);
      expect(guard(new Error(error.message))).toBe(false);
      expect(guard(null)).toBe(false);
      expect(guard("BrokenCircuitError")).toBe(false);
      for (const [otherGuard, other] of cases) {
        if (otherGuard !== guard) expect(guard(other)).toBe(false);
      }
    }
  });
});
