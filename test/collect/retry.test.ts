import { describe, expect, it } from "vitest";
import { jitteredDelayMs, MAX_RETRY_DELAY_MS, RETRY_BASE_MS } from "../../src/collect/retry.ts";

describe("the retry back-off: full jitter on a 25 ms base", () => {
  it.each([
    [0, 0, 0],
    [0, 0.999, 24],
    [1, 0.5, 25],
    [3, 0.999, 199],
    [7, 0.999, 3196],
    // Capped at the SDK's 20 s however many retries.
    [12, 0.999, 19_980],
    [30, 0.5, 10_000],
  ])("retry %i with random() = %d waits %i ms", (retry, random, ms) => {
    expect(jitteredDelayMs(retry, () => random)).toBe(ms);
  });

  it("stays within [0, min(20 s, 25 ms × 2^n)) with the real random()", () => {
    for (let retry = 0; retry < 12; retry++) {
      const bound = Math.min(MAX_RETRY_DELAY_MS, RETRY_BASE_MS * 2 ** retry);
      const waits = Array.from({ length: 200 }, () => jitteredDelayMs(retry));
      expect(Math.min(...waits)).toBeGreaterThanOrEqual(0);
      expect(Math.max(...waits)).toBeLessThan(bound);
      // Jittered: not one fixed wait.
      expect(new Set(waits).size).toBeGreaterThan(1);
    }
  });
});
