import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, openTestDatabase } from "../../../tests/support/database.ts";
import { captureLogs } from "../../../tests/support/services.ts";
import { createTenant } from "../../../tests/support/tenants.ts";
import type { Db, DbPool } from "../db/port.ts";
import { DbUnavailableError } from "../db/port.ts";
import { enforceRateLimit, hitRateLimit, peekRateLimit, type RateLimitRule } from "./rate-limit.ts";

const MINUTE = 60_000;
// The current minute's window boundary: tests know where the next window starts, and the rows they write are
// as recent as those of suites running at the same time, so nobody's opportunistic pruning deletes them.
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE;

const uniqueBucket = () => `test:${crypto.randomUUID()}`;
const rows = (db: Db, bucket: string) =>
  db.query<{ tenant_id: string | null; window_start: Date; hits: number }>(
    "select tenant_id, window_start, hits from rate_limits where bucket = $1 order by window_start", [bucket]);

describe.each(ADAPTERS)("rate limits on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("allows `limit` hits per window, then refuses with the seconds left until the window ends", async () => {
    const rule: RateLimitRule = { bucket: uniqueBucket(), limit: 3, windowSeconds: 60 };

    const decisions = [];
    for (const offset of [0, 1_000, 2_000, 15_200]) decisions.push(await hitRateLimit(db, rule, T0 + offset));

    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, false]);
    expect(decisions.map((d) => d.hits)).toEqual([1, 2, 3, 4]);
    // 44.8 s left in the window, rounded up.
    expect(decisions[3]).toEqual({ allowed: false, hits: 4, retryAfterSeconds: 45 });
    expect(await rows(db, rule.bucket)).toEqual([{ tenant_id: null, window_start: new Date(T0), hits: 4 }]);
  });

  it("starts counting again in the next window", async () => {
    const rule: RateLimitRule = { bucket: uniqueBucket(), limit: 1, windowSeconds: 60 };
    expect((await hitRateLimit(db, rule, T0 + 59_000)).allowed).toBe(true);
    expect((await hitRateLimit(db, rule, T0 + 59_500)).allowed).toBe(false);

    expect(await hitRateLimit(db, rule, T0 + MINUTE)).toEqual({ allowed: true, hits: 1 });
  });

  it("counts concurrent hits exactly once each (one atomic upsert per hit)", async () => {
    const rule: RateLimitRule = { bucket: uniqueBucket(), limit: 10, windowSeconds: 60 };

    const decisions = await Promise.all(Array.from({ length: 25 }, () => hitRateLimit(db, rule, T0 + 5_000)));

    expect(decisions.map((d) => d.hits).sort((a, b) => a - b)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(10);
    expect((await rows(db, rule.bucket))[0]!.hits).toBe(25);
  });

  it("keeps the tenant on the row when it exists, and none for an unknown one", async () => {
    const tenantId = await createTenant(db);
    const known: RateLimitRule = { bucket: uniqueBucket(), tenantId, limit: 5, windowSeconds: 60 };
    const unknown: RateLimitRule = { bucket: uniqueBucket(), tenantId: crypto.randomUUID(), limit: 5, windowSeconds: 60 };

    await hitRateLimit(db, known, T0);
    await hitRateLimit(db, unknown, T0);

    expect((await rows(db, known.bucket))[0]!.tenant_id).toBe(tenantId);
    expect((await rows(db, unknown.bucket))[0]!.tenant_id).toBeNull();
  });

  it("prunes windows more than an hour old when a bucket opens a new window", async () => {
    const stale = uniqueBucket();
    const recent = uniqueBucket();
    const now = T0;
    await hitRateLimit(db, { bucket: stale, limit: 5, windowSeconds: 60 }, now - 2 * 3_600_000);
    await hitRateLimit(db, { bucket: recent, limit: 5, windowSeconds: 60 }, now - 30 * MINUTE);

    await hitRateLimit(db, { bucket: uniqueBucket(), limit: 5, windowSeconds: 60 }, now);

    expect(await rows(db, stale)).toEqual([]);
    expect(await rows(db, recent)).toHaveLength(1);
  });
});

describe.each(ADAPTERS)("peeking at a rate limit on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("says whether a hit is left without counting one, and refuses once the limit's hits are spent", async () => {
    const rule: RateLimitRule = { bucket: uniqueBucket(), limit: 2, windowSeconds: 60 };

    expect(await peekRateLimit(db, rule, T0)).toEqual({ allowed: true, hits: 0 });
    expect(await rows(db, rule.bucket)).toEqual([]);
    await hitRateLimit(db, rule, T0);
    expect(await peekRateLimit(db, rule, T0 + 1_000)).toEqual({ allowed: true, hits: 1 });
    await hitRateLimit(db, rule, T0 + 2_000);
    expect(await peekRateLimit(db, rule, T0 + 15_200)).toEqual({ allowed: false, hits: 2, retryAfterSeconds: 45 });
    expect((await rows(db, rule.bucket))[0]!.hits).toBe(2);
    expect(await peekRateLimit(db, rule, T0 + MINUTE)).toEqual({ allowed: true, hits: 0 });
  });

  it("enforceRateLimit with `peek` answers 429 when spent, and writes nothing", async () => {
    const rule: RateLimitRule = { bucket: uniqueBucket(), limit: 1, windowSeconds: 60 };
    const ctx = { db, now: () => T0 + 30_000, log: captureLogs().logger };

    expect(await enforceRateLimit(ctx, rule, { peek: true })).toBeUndefined();
    expect(await rows(db, rule.bucket)).toEqual([]);
    expect(await enforceRateLimit(ctx, rule)).toBeUndefined();
    const refused = await enforceRateLimit(ctx, rule, { peek: true });
    expect(refused?.status).toBe(429);
    expect(refused?.headers.get("retry-after")).toBe("30");
    expect((await rows(db, rule.bucket))[0]!.hits).toBe(1);
  });
});

describe("enforceRateLimit", () => {
  const failingDb: Db = {
    query: () => Promise.reject(new DbUnavailableError("down", { cause: Object.assign(new Error("x"), { code: "ECONNREFUSED" }) })),
    transaction: () => Promise.reject(new Error("unused")),
    execScript: () => Promise.reject(new Error("unused")),
  };

  it("lets the request through (and says so in the log) when the counter cannot be written", async () => {
    const logs = captureLogs();

    const answer = await enforceRateLimit({ db: failingDb, now: () => T0, log: logs.logger }, { bucket: "b", limit: 1, windowSeconds: 60 });

    expect(answer).toBeUndefined();
    expect(logs.lines.map((line) => JSON.parse(line).msg)).toEqual(["rate limit not checked"]);
  });

  it("checks nothing when the limit is 0 (turned off)", async () => {
    const logs = captureLogs();
    expect(await enforceRateLimit({ db: failingDb, now: () => T0, log: logs.logger }, { bucket: "b", limit: 0, windowSeconds: 60 })).toBeUndefined();
    expect(logs.lines).toEqual([]);
  });
});
