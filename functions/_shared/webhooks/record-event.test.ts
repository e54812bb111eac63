import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, openTestDatabase } from "../../../tests/support/database.ts";
import { createTenant } from "../../../tests/support/tenants.ts";
import { WEBHOOK_EFFECTS } from "../../webhook-effects.ts";
import type { DbPool } from "../db/port.ts";
import { sql } from "../db/sql.ts";
import type { IntegrationKey } from "../integrations/catalog.ts";
import { recordAndApply, type EffectOf, type IncomingEvent } from "./record-event.ts";
import { namesAnotherTenant, ownTenantOnly } from "./tenant-marker.ts";

const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);

const incoming = (eventType: string, payload: unknown = { type: eventType }): IncomingEvent =>
  ({ externalId: `evt_${crypto.randomUUID()}`, eventType, payload });

describe.each(ADAPTERS)("recordAndApply on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(() => db?.close());

  const rowOf = async (tenantId: string, externalId: string) => (await db.query<{ status: string; last_error: string | null; has_next: boolean; payload: unknown }>(
    "select status, last_error, next_attempt_at is not null as has_next, payload from webhook_events where tenant_id = $1 and external_id = $2",
    [tenantId, externalId]))[0];

  it("builds the effect inside its error handling: a throwing builder leaves the event stored as failed for the retry job", async () => {
    const tenantId = await createTenant(db);
    const event = incoming("payment_intent.succeeded");
    const throwing: EffectOf = () => {
      throw new TypeError("Cannot read properties of undefined (reading 'object')");
    };
    expect(await recordAndApply(db, tenantId, "stripe", event, throwing)).toEqual({
      outcome: "failed", error: "TypeError: Cannot read properties of undefined (reading 'object')",
    });
    expect(await rowOf(tenantId, event.externalId)).toMatchObject({ status: "failed", has_next: true, last_error: expect.stringContaining("TypeError") });

    // Once the builder works, the redelivery applies it; a later throwing redelivery is only a duplicate.
    const applied: EffectOf = () => ({ statements: (gate) => [sql`select 1 where ${gate}`] });
    expect((await recordAndApply(db, tenantId, "stripe", event, applied)).outcome).toBe("processed");
    expect(await recordAndApply(db, tenantId, "stripe", event, throwing)).toEqual({ outcome: "duplicate" });
    expect(await rowOf(tenantId, event.externalId)).toMatchObject({ status: "processed", last_error: null });
  });

  it("stores event types named like Object.prototype members as unknown types, for every provider", async () => {
    const tenantId = await createTenant(db);
    for (const [source, load] of Object.entries(WEBHOOK_EFFECTS)) {
      const effectOf = await load!();
      for (const eventType of PROTOTYPE_NAMES) {
        const event = incoming(eventType, { type: eventType, event: eventType, sg_event_id: "x", data: { object: { id: "x" } }, payload: { object: {} } });
        const { outcome } = await recordAndApply(db, tenantId, source as IntegrationKey, event, effectOf);
        expect(outcome, `${source} ${eventType}`).toBe("processed");
        expect((await rowOf(tenantId, event.externalId))?.status).toBe("processed");
      }
    }
  });

  it("stores and hands the effect the redacted payload", async () => {
    const tenantId = await createTenant(db);
    const event = incoming("meeting.created", { event: "meeting.created", payload: { object: { id: 1, password: "Xy7!pQ", join_url: "https://zoom.us/j/1?pwd=abc" } } });
    let seen: unknown;
    const effectOf: EffectOf = (_tenant, stored) => {
      seen = stored.payload;
      return undefined;
    };
    await recordAndApply(db, tenantId, "zoom", { ...event, payloadJson: JSON.stringify(event.payload) }, effectOf);
    const expected = { event: "meeting.created", payload: { object: { id: 1, password: "[redacted]", join_url: "https://zoom.us/j/1?pwd=[redacted]" } } };
    expect((await rowOf(tenantId, event.externalId))?.payload).toEqual(expected);
    expect(seen).toEqual(expected);
  });

  it("stores an event carrying U+0000 (which PostgreSQL text and jsonb refuse) with U+FFFD, acknowledged, not a 500", async () => {
    const tenantId = await createTenant(db);
    const payload = { id: "evt_nul", type: "a\u0000b", data: { object: { metadata: { note: "x\u0000y", "k\u0000": 1 } } } };
    const event: IncomingEvent = { externalId: `evt_${crypto.randomUUID()}\u0000`, eventType: "a\u0000b", payload, payloadJson: JSON.stringify(payload) };
    const outcome = await recordAndApply(db, tenantId, "stripe", event, () => undefined);
    expect(outcome.outcome).toBe("processed");
    const [row] = await db.query<{ event_type: string; payload: unknown }>(
      "select event_type, payload from webhook_events where tenant_id = $1", [tenantId]);
    expect(row).toEqual({ event_type: "a\uFFFDb", payload: { id: "evt_nul", type: "a\uFFFDb", data: { object: { metadata: { note: "x\uFFFDy", "k\uFFFD": 1 } } } } });
    // A literal backslash before "u0000" is text, not a NUL: stored byte for byte.
    const literal = { id: "evt_lit", note: "C:\\u0000" };
    const plain: IncomingEvent = { externalId: `evt_${crypto.randomUUID()}`, eventType: "x", payload: literal, payloadJson: JSON.stringify(literal) };
    expect((await recordAndApply(db, tenantId, "stripe", plain, () => undefined)).outcome).toBe("processed");
    expect((await rowOf(tenantId, plain.externalId))?.payload).toEqual(literal);
  });
});

describe("tenant markers", () => {
  const tenantId = "6f1c2d3e-4a5b-4c6d-8e7f-8091a2b3c4d5";

  it("an event marked as another tenant's has no effect; unmarked or marked as this tenant, it has", () => {
    const effect = { statements: () => [] };
    const effectOf = ownTenantOnly((event) => (event.payload as { marker?: unknown }).marker, () => effect);
    const marked = (marker: unknown) => effectOf(tenantId, incoming("x", { marker }));
    expect(marked(crypto.randomUUID())).toBeUndefined();
    expect(marked(42)).toBeUndefined();
    expect(marked(undefined)).toBe(effect);
    expect(marked(null)).toBe(effect);
    expect(marked("")).toBe(effect);
    expect(marked(tenantId.toUpperCase())).toBe(effect);
    expect(marked(` ${tenantId} `)).toBe(effect);
  });

  it("namesAnotherTenant", () => {
    expect(namesAnotherTenant("other", tenantId)).toBe(true);
    expect(namesAnotherTenant(tenantId, tenantId)).toBe(false);
  });
});
