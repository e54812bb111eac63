import type { IntegrationKey } from "./catalog.ts";
import type { Integration } from "./store.ts";

/**
 * Keeps decrypted integrations for a short time so a burst of webhooks costs one lookup and one decryption.
 * A saved change reaches other instances within the TTL; callers that see a signature mismatch reload with
 * `fresh` (a just-rotated secret is then picked up at once) — at most once per `FORCED_RELOAD_INTERVAL_MS` per
 * tenant and key on this instance, so a flood of bad signatures cannot turn into a flood of loads: within the
 * interval `fresh` answers what the last forced reload loaded (still cached unless the TTL is shorter).
 */
export interface IntegrationCache {
  get(
    tenantId: string,
    key: IntegrationKey,
    load: () => Promise<Integration | undefined>,
    options?: { fresh?: boolean },
  ): Promise<Integration | undefined>;
  invalidate(tenantId: string, key: IntegrationKey): void;
}

const MAX_ENTRIES = 1_000;

/** How often a `fresh` get may really reload one tenant's integration on an instance. */
export const FORCED_RELOAD_INTERVAL_MS = 5_000;

/** @example const cache = createIntegrationCache(5_000, () => Date.now()); */
export function createIntegrationCache(ttlMs: number, now: () => number): IntegrationCache {
  const entries = new Map<string, { expiresAt: number; value: Promise<Integration | undefined> }>();
  const lastForcedReload = new Map<string, number>();
  const mayForceReload = (id: string): boolean => {
    const at = now();
    const last = lastForcedReload.get(id);
    if (last !== undefined && at - last < FORCED_RELOAD_INTERVAL_MS) return false;
    if (lastForcedReload.size >= MAX_ENTRIES) lastForcedReload.delete(lastForcedReload.keys().next().value!);
    lastForcedReload.delete(id); // re-inserted last, so the oldest reload is the one evicted
    lastForcedReload.set(id, at);
    return true;
  };
  return {
    get(tenantId, key, load, options = {}) {
      const id = `${tenantId}:${key}`;
      const hit = entries.get(id);
      const fresh = options.fresh === true && mayForceReload(id);
      if (hit && !fresh && hit.expiresAt > now()) return hit.value;
      const value = load();
      if (ttlMs > 0) {
        if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value!);
        entries.set(id, { expiresAt: now() + ttlMs, value });
        // A failed load (database down) must not be remembered.
        value.catch(() => entries.delete(id));
      }
      return value;
    },
    invalidate(tenantId, key) {
      entries.delete(`${tenantId}:${key}`);
    },
  };
}
