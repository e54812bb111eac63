import type { IntegrationKey } from "./catalog.ts";
import type { Integration } from "./store.ts";

/**
 * Keeps decrypted integrations for a short time so a burst of webhooks costs one lookup and one decryption.
 * A saved change reaches other instances within the TTL; callers that see a signature mismatch reload with
 * `fresh` (a just-rotated secret is then picked up at once).
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

/** @example const cache = createIntegrationCache(5_000, () => Date.now()); */
export function createIntegrationCache(ttlMs: number, now: () => number): IntegrationCache {
  const entries = new Map<string, { expiresAt: number; value: Promise<Integration | undefined> }>();
  return {
    get(tenantId, key, load, options = {}) {
      const id = `${tenantId}:${key}`;
      const hit = entries.get(id);
      if (hit && !options.fresh && hit.expiresAt > now()) return hit.value;
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
