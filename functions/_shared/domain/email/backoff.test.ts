import { describe, expect, it } from "vitest";
import { retryDelaySeconds } from "./backoff.ts";

describe("retryDelaySeconds", () => {
  it("doubles from a minute and stays within the upper half of each step", () => {
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, () => 0))).toEqual([30, 60, 120, 240]);
    expect([1, 2, 3, 4].map((n) => retryDelaySeconds(n, () => 1))).toEqual([60, 120, 240, 480]);
  });

  it("is capped at six hours", () => {
    expect(retryDelaySeconds(30, () => 1)).toBe(6 * 3600);
    expect(retryDelaySeconds(1000, () => 0)).toBe(3 * 3600);
  });

  it("spreads retries that failed together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelaySeconds(6)));
    expect(delays.size).toBeGreaterThan(10);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(960);
      expect(delay).toBeLessThanOrEqual(1920);
    }
  });
});
