import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY_POLICY, retryDelaySeconds } from "./backoff.ts";

describe("retryDelaySeconds", () => {
  it.each([
    [1, 30, 60], [2, 60, 120], [3, 120, 240], [9, 7_680, 15_360],
  ])("after %i failed attempts waits between %i and %i s", (attempts, low, high) => {
    expect(retryDelaySeconds(attempts, DEFAULT_RETRY_POLICY, () => 0)).toBe(low);
    expect(retryDelaySeconds(attempts, DEFAULT_RETRY_POLICY, () => 1)).toBe(high);
    const jittered = retryDelaySeconds(attempts, DEFAULT_RETRY_POLICY, Math.random);
    expect(jittered).toBeGreaterThanOrEqual(low);
    expect(jittered).toBeLessThanOrEqual(high);
  });

  it("never waits longer than the cap, however many attempts", () => {
    expect(retryDelaySeconds(40, DEFAULT_RETRY_POLICY, () => 1)).toBe(DEFAULT_RETRY_POLICY.maxDelaySeconds);
    expect(retryDelaySeconds(1_000, DEFAULT_RETRY_POLICY, () => 0)).toBe(DEFAULT_RETRY_POLICY.maxDelaySeconds / 2);
  });

  it("spreads events that failed together over the window instead of one instant", () => {
    const delays = new Set(Array.from({ length: 200 }, () => retryDelaySeconds(5, DEFAULT_RETRY_POLICY, Math.random)));
    expect(delays.size).toBeGreaterThan(50);
  });
});
