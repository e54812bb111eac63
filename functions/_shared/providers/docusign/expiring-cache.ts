/** A value and the instant (ms) from which it should be fetched again. */
export interface Expiring<T> {
  value: T;
  renewAt: number;
}

/**
 * Per-instance memory of values that expire (access tokens, userinfo): concurrent callers share one
 * in-flight load, a failed load is forgotten, the oldest entry goes first beyond `maxEntries`.
 */
export interface ExpiringCache<T> {
  get(key: string, nowMs: number, load: () => Promise<Expiring<T>>): Promise<T>;
  /** Forgets `key`, or only while it still holds `value` (a token DocuSign just refused). */
  invalidate(key: string, value?: T): void;
}

/** @example const tokens = createExpiringCache<AccessToken>(); await tokens.get(key, now(), requestToken); */
export function createExpiringCache<T>(maxEntries = 1_000): ExpiringCache<T> {
  const entries = new Map<string, { pending: Promise<Expiring<T>>; settled?: Expiring<T> }>();
  return {
    async get(key, nowMs, load) {
      const hit = entries.get(key);
      if (hit && (!hit.settled || hit.settled.renewAt > nowMs)) return (await hit.pending).value;
      if (!hit && entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      const entry: { pending: Promise<Expiring<T>>; settled?: Expiring<T> } = { pending: load() };
      entries.set(key, entry);
      try {
        entry.settled = await entry.pending;
      } catch (error) {
        if (entries.get(key) === entry) entries.delete(key);
        throw error;
      }
      return entry.settled.value;
    },
    invalidate(key, value) {
      const entry = entries.get(key);
      if (entry && (value === undefined || entry.settled?.value === value)) entries.delete(key);
    },
  };
}
