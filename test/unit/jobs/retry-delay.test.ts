import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "../../../src/jobs/retry-delay";

describe("retryDelaySeconds", () => {
  const options = { initialDelaySeconds: 5, maxDelaySeconds: 3_600 };

  it("doubles per attempt, each delay drawn between the previous ceiling and its own", () => {
    expect(retryDelaySeconds(1, options, () => 0)).toBe(3);
    expect(retryDelaySeconds(1, options, () => 0.999)).toBe(5);
    expect(retryDelaySeconds(3, options, () => 0)).toBe(10);
    expect(retryDelaySeconds(3, options, () => 0.999)).toBe(20);
  });

  it("never shortens from one attempt to the next, whatever the random draws (1,000 seeds)", () => {
    for (let seed = 0; seed < 1_000; seed++) {
      let previous = 0;
      for (let attempt = 1; attempt <= 20; attempt++) {
        const delay = retryDelaySeconds(attempt, options, () => ((seed * 7919 + attempt * 104729) % 1000) / 1000);
        expect(delay).toBeGreaterThanOrEqual(previous);
        previous = delay;
      }
    }
  });

  it("stays within maxDelaySeconds and the Queues limit of 12 hours", () => {
    expect(retryDelaySeconds(50, options, () => 0)).toBe(3_600);
    expect(retryDelaySeconds(50, { initialDelaySeconds: 60, maxDelaySeconds: 1e9 }, () => 0.5)).toBe(43_200);
  });

  it("retries at once when the job asks for no delay", () => {
    expect(retryDelaySeconds(4, { initialDelaySeconds: 0, maxDelaySeconds: 0 })).toBe(0);
  });
});
