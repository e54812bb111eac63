import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS } from "../../tests/support/database.ts";
import { openIsolatedDatabase } from "../../tests/support/private-database.ts";
import { createTenant } from "../../tests/support/tenants.ts";
import { eventRow, insertFailedEvent } from "../../tests/support/webhook-events.ts";
import { claimDueEvents, countDueUnregistered } from "./claim-due-events.ts";

describe.each(ADAPTERS)("claimDueEvents on %s", (adapter) => {
  let db: DbPool;
  let close: () => Promise<void>;
  beforeAll(async () => {
    ({ db, close } = await openIsolatedDatabase(adapter, "claim"));
  });
  afterAll(() => close?.());

  it("claims at most `limit` due events, oldest due first, and leases them", async () => {
    const tenantId = await createTenant(db);
    const now = new Date("2026-11-26T12:00:00Z");
    const ids = [];
    for (let i = 0; i < 5; i++) {
      const due = new Date(now.getTime() - (i + 1) * 60_000);
      ids.push((await insertFailedEvent(db, tenantId, { id: `evt_claim_${i}`, type: "payment_intent.succeeded" }, { nextAttemptAt: due })).id);
    }
    const notDue = await insertFailedEvent(db, tenantId, { id: "evt_claim_later", type: "x" }, { nextAttemptAt: new Date(now.getTime() + 1_000) });
    const other = await insertFailedEvent(db, tenantId, { id: "evt_claim_zoom", type: "x" }, { source: "zoom", nextAttemptAt: now });

    const first = await claimDueEvents(db, { now, sources: ["stripe"], limit: 2, leaseSeconds: 300 });
    expect(first.map((e) => e.externalId)).toEqual(["evt_claim_4", "evt_claim_3"]);
    expect(first[0]).toMatchObject({ source: "stripe", attempts: 1, tenantId, eventType: "payment_intent.succeeded" });
    expect((await eventRow(db, first[0]!.id)).next_attempt_at).toEqual(new Date(now.getTime() + 300_000));

    const rest = await claimDueEvents(db, { now, sources: ["stripe"], limit: 10, leaseSeconds: 300 });
    expect(rest.map((e) => e.externalId)).toEqual(["evt_claim_2", "evt_claim_1", "evt_claim_0"]);
    expect(await claimDueEvents(db, { now, sources: ["stripe"], limit: 10, leaseSeconds: 300 })).toEqual([]);
    // Once the lease runs out, an event nobody finished is due again.
    const afterLease = await claimDueEvents(db, { now: new Date(now.getTime() + 301_000), sources: ["stripe"], limit: 10, leaseSeconds: 300 });
    expect(afterLease.map((e) => e.id).sort()).toEqual([...ids, notDue.id].sort());

    expect(await countDueUnregistered(db, { now, sources: ["stripe"] })).toEqual([{ source: "zoom", count: 1 }]);
    expect((await eventRow(db, other.id)).status).toBe("failed");
    expect(await claimDueEvents(db, { now, sources: [], limit: 10, leaseSeconds: 300 })).toEqual([]);
  });
});
