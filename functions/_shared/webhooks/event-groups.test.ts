// Event groups with effects made for the test (the Stripe ones are in stripe-webhook/grouped-deliveries.test.ts):
// what happens to an effect whose builder throws, and to one that names no keys, when others are grouped.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, openTestDatabase } from "../../../tests/support/database.ts";
import { recordingDb } from "../../../tests/support/recording-db.ts";
import { createTenant } from "../../../tests/support/tenants.ts";
import type { DbPool } from "../db/port.ts";
import { sql } from "../db/sql.ts";
import { createEventGroups } from "./event-groups.ts";
import type { EffectOf, IncomingEvent } from "./record-event.ts";

const incoming = (eventType: string): IncomingEvent => ({ externalId: `evt_${crypto.randomUUID()}`, eventType, payload: { type: eventType } });

describe.each(ADAPTERS)("event groups on %s", (adapter) => {
  let pool: DbPool;
  beforeAll(async () => {
    pool = await openTestDatabase(adapter);
  });
  afterAll(() => pool?.close());

  const statusOf = async (tenantId: string, externalId: string) =>
    (await pool.query<{ status: string }>("select status from webhook_events where tenant_id = $1 and external_id = $2", [tenantId, externalId]))[0]?.status;

  // An audit row per applied event: something the effect writes, keyed so two events never touch the same row.
  const audited: EffectOf = (tenantId, event) => ({
    statements: (gate) => [sql`insert into audit_log (tenant_id, actor, action, details)
      select ${tenantId}::uuid, 'test', 'grouped', ${JSON.stringify({ id: event.externalId })}::jsonb where ${gate}`],
    keys: [`audit:${event.externalId}`],
  });

  it("stores an event whose effect builder throws as failed, and groups the others", async () => {
    const { db, stores } = recordingDb(pool);
    const tenantId = await createTenant(pool);
    const groups = createEventGroups();
    const good = [incoming("test.ok"), incoming("test.ok")];
    const bad = incoming("test.throws");
    const effectOf: EffectOf = (t, e) => {
      if (e.eventType === "test.throws") throw new TypeError("an event shaped like nothing we expected");
      return audited(t, e);
    };

    const results = await Promise.all([...good, bad].map((event) => groups.record(db, tenantId, "stripe", event, effectOf)));

    expect(results.map((r) => r.outcome)).toEqual(["processed", "processed", "failed"]);
    expect(results[2]!.error).toMatch(/TypeError: an event shaped like nothing we expected/);
    expect(await statusOf(tenantId, bad.externalId)).toBe("failed");
    expect(stores.map((s) => s.events).sort()).toEqual([1, 2]); // the failed one alone, the two others in one statement
    const [applied] = await pool.query<{ n: number }>("select count(*)::int as n from audit_log where tenant_id = $1 and action = 'grouped'", [tenantId]);
    expect(applied!.n).toBe(2);
  });

  it("applies an effect that names no keys alone, however many events wait", async () => {
    const { db, stores } = recordingDb(pool);
    const tenantId = await createTenant(pool);
    const groups = createEventGroups();
    const unkeyed: EffectOf = (t, e) => {
      const { keys: _keys, ...effect } = audited(t, e) as { statements: never; keys: string[] };
      return effect;
    };
    const events = [incoming("test.unkeyed"), incoming("test.unkeyed"), incoming("test.unkeyed")];

    const results = await Promise.all(events.map((event) => groups.record(db, tenantId, "stripe", event, unkeyed)));

    expect(results.map((r) => r.outcome)).toEqual(["processed", "processed", "processed"]);
    expect(stores.map((s) => s.events)).toEqual([1, 1, 1]);
  });
});
