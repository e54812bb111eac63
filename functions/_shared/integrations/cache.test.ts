import { describe, expect, it } from "vitest";
import { createIntegrationCache, FORCED_RELOAD_INTERVAL_MS } from "./cache.ts";
import type { Integration } from "./store.ts";

const TENANT = "6a1f9c2e-0d4b-4e8a-9b3c-7f2e1d0c9b8a";

describe("integration cache", () => {
  function setup(ttlMs: number) {
    let now = 1_000_000;
    const cache = createIntegrationCache(ttlMs, () => now);
    let loads = 0;
    const load = async () => ({ version: ++loads }) as unknown as Integration;
    const get = (fresh = false, tenantId = TENANT) => cache.get(tenantId, "stripe", load, { fresh });
    return { get, loads: () => loads, advance: (ms: number) => { now += ms; } };
  }

  it("reuses a load within the TTL", async () => {
    const { get, loads, advance } = setup(5_000);
    await get();
    advance(4_999);
    await get();
    expect(loads()).toBe(1);
    advance(1);
    await get();
    expect(loads()).toBe(2);
  });

  it("reloads on `fresh` at most once per 5 s per tenant and key, answering the last reload in between", async () => {
    const { get, loads, advance } = setup(60_000);
    await get();
    const reloaded = await get(true);
    const throttled = await Promise.all([get(true), get(true), get(true)]);
    expect(loads()).toBe(2);
    expect(throttled.every((value) => value === reloaded)).toBe(true);

    await get(true, "0b7d3e51-8f2a-4c69-a1d4-2e9f8c7b6a50"); // another tenant: its own budget
    expect(loads()).toBe(3);

    advance(FORCED_RELOAD_INTERVAL_MS - 1);
    await get(true);
    expect(loads()).toBe(3);
    advance(1);
    await get(true);
    expect(loads()).toBe(4);
  });
});
