import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { callHandler } from "../../tests/support/admin-request.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { contextFor, testServices } from "../../tests/support/services.ts";
import { paymentIntent, signedStripeRequest, stripeEvent } from "../../tests/support/stripe.ts";
import { createEnrollment, createStripeTenant, createTenant } from "../../tests/support/tenants.ts";
import { signToken } from "../../tests/support/tokens.ts";
import type { Db, DbPool } from "../_shared/db/port.ts";
import { stripeWebhook } from "../../tests/support/function-handlers.ts";
import { WEBHOOK_EFFECTS } from "../webhook-effects.ts";
import { handler } from "./handler.ts";

const HOUR = 3_600_000;
const rand = (n = 16) => crypto.randomUUID().replaceAll("-", "").slice(0, n);

interface SeedEvent {
  source?: string;
  type?: string;
  status?: string;
  payload?: unknown;
  createdAt?: Date;
  lastError?: string;
  attempts?: number;
}

/** Stores an event as the webhook pipeline would have (status, attempts and error included). */
async function seedEvent(db: Db, tenantId: string, event: SeedEvent = {}): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts, last_error, processed_at, created_at)
     values ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, case when $6 = 'processed' then now() end, $9) returning id`,
    [tenantId, event.source ?? "stripe", event.type ?? "payment_intent.succeeded", `evt_${rand()}`, JSON.stringify(event.payload ?? { object: "event" }),
      event.status ?? "processed", event.attempts ?? 1, event.lastError ?? null, event.createdAt ?? new Date()],
  );
  return row!.id;
}

const eventRow = async (db: Db, id: string) =>
  (await db.query<{ status: string; attempts: number; last_error: string | null; processed_at: Date | null }>(
    "select status, attempts, last_error, processed_at from webhook_events where id = $1", [id]))[0];

describe.each(ADAPTERS)("admin-webhook-events on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup() {
    const services = await testServices(db);
    const tenantId = await createTenant(db);
    const userId = crypto.randomUUID();
    const token = await signToken({ sub: userId, tenantId, role: "admin" });
    const list = (query = "", t = token) => callHandler(handler, services, { method: "GET", path: `/api/admin/webhook-events${query}`, token: t });
    const replay = (id: string, body?: unknown, extra: { raw?: string; token?: string; method?: string } = {}) =>
      callHandler(handler, services, {
        method: extra.method ?? "POST", path: `/api/admin/webhook-events/${id}/replay`, token: extra.token ?? token, params: { id },
        ...(body !== undefined ? { body } : {}), ...(extra.raw !== undefined ? { raw: extra.raw } : {}),
      });
    const failures = (query = "", t = token) =>
      callHandler(handler, services, { method: "GET", path: `/api/admin/webhook-events/signature-failures${query}`, token: t });
    return { services, tenantId, userId, token, list, replay, failures };
  }

  describe("GET /api/admin/webhook-events", () => {
    it("lists the tenant's events newest first, without payloads, paging with nextCursor until the end", async () => {
      const { tenantId, list } = await setup();
      const base = Date.now() - 10 * HOUR;
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.push(await seedEvent(db, tenantId, { createdAt: new Date(base + i * 1000), payload: { secretish: `p${i}` } }));
      // Two in the same microsecond: the cursor's id tie-break keeps both.
      const same = new Date(base + 10_000);
      ids.push(await seedEvent(db, tenantId, { createdAt: same }), await seedEvent(db, tenantId, { createdAt: same }));

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
        expect(res.status, res.text).toBe(200);
        expect(res.json.events.length).toBeLessThanOrEqual(3);
        for (const event of res.json.events) expect(event).not.toHaveProperty("payload");
        seen.push(...res.json.events.map((e: { id: string }) => e.id));
        cursor = res.json.nextCursor;
        pages++;
      } while (cursor && pages < 10);

      expect(pages).toBe(3);
      expect(new Set(seen)).toEqual(new Set(ids));
      expect(seen.slice(2)).toEqual(ids.slice(0, 5).reverse());
      const first = (await list("?limit=1")).json.events[0];
      expect(first).toEqual({
        id: expect.any(String), source: "stripe", type: "payment_intent.succeeded", externalId: expect.stringMatching(/^evt_/),
        status: "processed", attempts: 1, lastError: null, nextAttemptAt: null, processedAt: expect.any(String), createdAt: same.toISOString(),
      });
    });

    it("includes each payload with ?payload=true", async () => {
      const { tenantId, list } = await setup();
      await seedEvent(db, tenantId, { payload: { id: "evt_1", data: { object: { amount: 5 } } } });

      const res = await list("?payload=true");

      expect(res.json.events[0].payload).toEqual({ id: "evt_1", data: { object: { amount: 5 } } });
    });

    it("filters by source, status, exact type, type prefix and before", async () => {
      const { tenantId, list } = await setup();
      const t = Date.now() - 5 * HOUR;
      const a = await seedEvent(db, tenantId, { type: "payment_intent.succeeded", createdAt: new Date(t) });
      const b = await seedEvent(db, tenantId, { type: "payment_intent.payment_failed", status: "failed", createdAt: new Date(t + 1000) });
      const c = await seedEvent(db, tenantId, { type: "charge.refunded", status: "dead", createdAt: new Date(t + 2000) });
      const d = await seedEvent(db, tenantId, { source: "zoom", type: "meeting.started", createdAt: new Date(t + 3000) });
      const ids = async (query: string) => (await list(query)).json.events.map((e: { id: string }) => e.id);

      expect(await ids("")).toEqual([d, c, b, a]);
      expect(await ids("?source=stripe")).toEqual([c, b, a]);
      expect(await ids("?source=zoom")).toEqual([d]);
      expect(await ids("?status=failed")).toEqual([b]);
      expect(await ids("?status=dead&source=stripe")).toEqual([c]);
      expect(await ids("?type=charge.refunded")).toEqual([c]);
      expect(await ids("?type=payment_intent.*")).toEqual([b, a]);
      expect(await ids("?type=payment_intent.")).toEqual([]);
      expect(await ids(`?before=${encodeURIComponent(new Date(t + 1500).toISOString())}`)).toEqual([b, a]);
    });

    it.each([
      ["an unknown parameter", "?tenantId=x", "tenantId"],
      ["an unknown source", "?source=paypal", "source"],
      ["an unknown status", "?status=lost", "status"],
      ["a type with a space or SQL", "?type=a%27%20or%201%3D1", "type"],
      ["a before that is not a time", "?before=yesterday", "before"],
      ["a cursor this API did not make", "?cursor=abc", "cursor"],
      ["a limit of 0", "?limit=0", "limit"],
      ["a limit over 200", "?limit=201", "limit"],
      ["payload that is not true/false", "?payload=yes", "payload"],
    ])("answers 400 to %s", async (_name, query, field) => {
      const { list } = await setup();
      const res = await list(query);
      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual([field]);
    });

    it("answers 401 without a valid token and 403 to a member", async () => {
      const { tenantId, list } = await setup();
      expect((await list("", "")).status).toBe(401);
      expect((await list("", "x.y.z")).status).toBe(401);
      expect((await list("", await signToken({ tenantId, role: "member" }))).status).toBe(403);
    });

    it("never shows another tenant's events", async () => {
      const { tenantId, list } = await setup();
      await seedEvent(db, tenantId);
      const other = await createTenant(db);
      const otherAdmin = await signToken({ tenantId: other, role: "admin" });

      const res = await list("?payload=true", otherAdmin);

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ events: [], nextCursor: null });
    });
  });

  describe("POST /api/admin/webhook-events/{id}/replay", () => {
    it("re-applies a failed Stripe event through the webhook's effects: the payment appears, the event is processed, audited", async () => {
      const { tenantId, userId, replay } = await setup();
      const enrollmentId = await createEnrollment(db, tenantId);
      const intent = paymentIntent({ amount: 15_000, status: "succeeded", enrollmentId });
      const event = stripeEvent("payment_intent.succeeded", intent);
      const id = await seedEvent(db, tenantId, { payload: event, status: "failed", attempts: 3, lastError: "Error: connection lost mid-way" });

      const res = await replay(id, { reason: "database was restored" });

      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ outcome: "processed", event: { id, status: "processed", attempts: 4, lastError: null } });
      expect(res.json.event).not.toHaveProperty("payload");
      expect(await db.query("select amount, status, enrollment_id from payments where tenant_id = $1", [tenantId]))
        .toEqual([{ amount: 15_000, status: "succeeded", enrollment_id: enrollmentId }]);
      expect(await db.query("select actor, action, target, details from audit_log where tenant_id = $1", [tenantId])).toEqual([{
        actor: userId, action: "webhook_event.replayed", target: id,
        details: { source: "stripe", eventType: "payment_intent.succeeded", externalId: expect.stringMatching(/^evt_/), from: "failed", outcome: "processed", reason: "database was restored" },
      }]);
    });

    it("makes a dead-lettered event processed", async () => {
      const { tenantId, replay } = await setup();
      const event = stripeEvent("payment_intent.processing", paymentIntent({ status: "processing" }));
      const id = await seedEvent(db, tenantId, { payload: event, status: "dead", attempts: 8 });

      const res = await replay(id);

      expect(res.status).toBe(200);
      expect(await eventRow(db, id)).toMatchObject({ status: "processed", attempts: 9, last_error: null });
    });

    it("is idempotent: replaying a processed event changes no domain row", async () => {
      const { services, tenantId, replay } = await setup();
      const secret = `whsec_${rand(32)}`;
      const stripeTenant = await createStripeTenant(services, secret);
      const body = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 9_000, status: "succeeded" })));
      const delivered = await stripeWebhook(signedStripeRequest(stripeTenant, body, { secret }), contextFor(services, { tenantId: stripeTenant }));
      expect(delivered.status).toBe(200);
      const [stored] = await db.query<{ id: string }>("select id from webhook_events where tenant_id = $1", [stripeTenant]);
      // Everything but updated_at (an equal-rank upsert may touch it): the payment itself must not change.
      const payments = () => db.query("select id, amount, amount_refunded, currency, status, status_rank, source_event_created from payments where tenant_id = $1", [stripeTenant]);
      const before = await payments();
      expect(before).toHaveLength(1);
      const admin = await signToken({ tenantId: stripeTenant, role: "admin" });

      const first = await replay(stored!.id, undefined, { token: admin });
      const second = await replay(stored!.id, {}, { token: admin });

      expect([first.status, second.status]).toEqual([200, 200]);
      expect(await payments()).toEqual(before);
      expect(await eventRow(db, stored!.id)).toMatchObject({ status: "processed", attempts: 3 });
      expect(tenantId).not.toBe(stripeTenant);
    });

    it("keeps a failing event's status and records the new error when the replay fails too", async () => {
      const { tenantId, replay } = await setup();
      // A negative amount breaks payments' check constraint: the effect fails inside its transaction.
      const event = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: -1, status: "succeeded" }));
      const id = await seedEvent(db, tenantId, { payload: event, status: "dead", attempts: 8, lastError: "old error" });

      const res = await replay(id);

      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ outcome: "failed", error: expect.stringContaining("check"), event: { status: "dead", attempts: 9 } });
      expect(await eventRow(db, id)).toMatchObject({ status: "dead", attempts: 9, last_error: expect.stringContaining("check") });
      expect(await db.query("select 1 from payments where tenant_id = $1", [tenantId])).toEqual([]);
      expect((await db.query<{ details: { outcome: string } }>("select details from audit_log where tenant_id = $1", [tenantId]))[0]!.details.outcome).toBe("failed");
    });

    it("answers 409 for a source whose effects are not registered yet, changing nothing", async () => {
      const { tenantId, replay } = await setup();
      const id = await seedEvent(db, tenantId, { source: "zoom", type: "meeting.started", status: "failed" });
      const registered = WEBHOOK_EFFECTS.zoom;
      delete WEBHOOK_EFFECTS.zoom;
      try {
        const res = await replay(id);
        expect(res.status).toBe(409);
        expect(res.json.code).toBe("ERR_REPLAY_UNAVAILABLE");
      } finally {
        if (registered) WEBHOOK_EFFECTS.zoom = registered;
      }
      expect(await eventRow(db, id)).toMatchObject({ status: "failed", attempts: 1 });
    });

    it("answers 404 to another tenant's event (which stays as it was), to an unknown id and to a non-UUID", async () => {
      const { tenantId, replay } = await setup();
      const id = await seedEvent(db, tenantId, { payload: stripeEvent("payment_intent.processing", paymentIntent()), status: "failed" });
      const otherAdmin = await signToken({ tenantId: await createTenant(db), role: "admin" });

      expect((await replay(id, undefined, { token: otherAdmin })).status).toBe(404);
      expect((await replay(crypto.randomUUID())).status).toBe(404);
      expect((await replay("evt_123")).status).toBe(404);
      expect(await eventRow(db, id)).toMatchObject({ status: "failed", attempts: 1 });
    });

    it.each([
      ["an unknown field", { force: true }, "force"],
      ["a reason that is not text", { reason: 42 }, "reason"],
      ["a reason over 500 characters", { reason: "x".repeat(501) }, "reason"],
      ["an array", [], "(body)"],
    ])("answers 400 to %s, replaying nothing", async (_name, body, field) => {
      const { tenantId, replay } = await setup();
      const id = await seedEvent(db, tenantId, { status: "failed" });

      const res = await replay(id, body);

      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual([field]);
      expect(await eventRow(db, id)).toMatchObject({ status: "failed", attempts: 1 });
    });

    it("answers 400 to malformed JSON, 405 to GET, 401 without a token and 403 to a member", async () => {
      const { tenantId, replay } = await setup();
      const id = await seedEvent(db, tenantId, { status: "failed" });

      expect((await replay(id, undefined, { raw: "{nope" })).status).toBe(400);
      expect((await replay(id, undefined, { method: "GET" })).status).toBe(405);
      expect((await replay(id, undefined, { token: "" })).status).toBe(401);
      expect((await replay(id, undefined, { token: await signToken({ tenantId, role: "member" }) })).status).toBe(403);
      expect(await eventRow(db, id)).toMatchObject({ status: "failed", attempts: 1 });
    });
  });

  describe("GET /api/admin/webhook-events/signature-failures", () => {
    it("counts failed verifications per source and reason over 24 h and 7 d, with no body or secret", async () => {
      const { services, failures } = await setup();
      const secret = `whsec_${rand(32)}`;
      const tenantId = await createStripeTenant(services, secret);
      const admin = await signToken({ tenantId, role: "admin" });
      const body = JSON.stringify(stripeEvent("payment_intent.succeeded", paymentIntent({ description: "private note" } as never)));
      const forged = await stripeWebhook(signedStripeRequest(tenantId, body, { secret: `whsec_${rand(32)}` }), contextFor(services, { tenantId }));
      const stale = await stripeWebhook(signedStripeRequest(tenantId, body, { secret, timestamp: Math.floor(Date.now() / 1000) - 3600 }), contextFor(services, { tenantId }));
      expect([forged.status, stale.status]).toEqual([401, 401]);
      const insertFailure = (source: string, reason: string, hoursAgo: number) => db.query(
        "insert into webhook_signature_failures (tenant_id, source, reason, created_at) values ($1, $2, $3, $4)",
        [tenantId, source, reason, new Date(Date.now() - hoursAgo * HOUR)]);
      await insertFailure("stripe", "ERR_WEBHOOK_SIGNATURE", 30);
      await insertFailure("zoom", "ERR_WEBHOOK_MISSING_HEADER", 2);
      await insertFailure("stripe", "ERR_WEBHOOK_SIGNATURE", 24 * 8); // outside 7 d

      const res = await failures("", admin);

      expect(res.status, res.text).toBe(200);
      expect(res.json.total).toEqual({ last24h: 3, last7d: 4 });
      expect(res.json.bySource).toEqual([
        { source: "stripe", reason: "ERR_WEBHOOK_SIGNATURE", last24h: 1, last7d: 2, lastAt: expect.any(String) },
        { source: "stripe", reason: "ERR_WEBHOOK_TIMESTAMP", last24h: 1, last7d: 1, lastAt: expect.any(String) },
        { source: "zoom", reason: "ERR_WEBHOOK_MISSING_HEADER", last24h: 1, last7d: 1, lastAt: expect.any(String) },
      ]);
      expect(res.json.recent).toHaveLength(5);
      expect(Object.keys(res.json.recent[0]).sort()).toEqual(["at", "reason", "source"]);
      expect(res.text).not.toContain("private note");
      expect(res.text).not.toContain(secret);
      expect((await failures("?source=zoom", admin)).json.total).toEqual({ last24h: 1, last7d: 1 });
    });

    it("shows another tenant nothing, and refuses unknown parameters", async () => {
      const { tenantId, failures } = await setup();
      await db.query("insert into webhook_signature_failures (tenant_id, source, reason) values ($1, 'stripe', 'ERR_WEBHOOK_SIGNATURE')", [tenantId]);
      const otherAdmin = await signToken({ tenantId: await createTenant(db), role: "admin" });

      expect((await failures("", otherAdmin)).json).toMatchObject({ total: { last24h: 0, last7d: 0 }, bySource: [], recent: [] });
      expect((await failures("?source=paypal")).status).toBe(400);
      expect((await failures("?days=3")).status).toBe(400);
      expect((await failures("", "")).status).toBe(401);
      expect((await failures("", await signToken({ tenantId, role: "member" }))).status).toBe(403);
    });
  });
});

// Only real PostgreSQL has a second connection to hold the row lock with (PGlite serializes everything).
describe.each(ADAPTERS.filter((adapter) => adapter === "postgres"))("replay of an event being re-applied right now, on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("answers 409 and leaves the event to the worker holding it", async () => {
    const services = await testServices(db);
    const tenantId = await createTenant(db);
    const token = await signToken({ tenantId, role: "admin" });
    const id = await seedEvent(db, tenantId, { payload: stripeEvent("payment_intent.processing", paymentIntent()), status: "failed" });

    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const worker = db.transaction(async (tx) => {
      await tx.query("select 1 from webhook_events where id = $1 for update", [id]);
      locked();
      await held;
    });
    await lockTaken;
    try {
      const res = await callHandler(handler, services, { method: "POST", path: `/api/admin/webhook-events/${id}/replay`, token, params: { id } });
      expect(res.status).toBe(409);
      expect(res.json.code).toBe("ERR_EVENT_BUSY");
    } finally {
      release();
      await worker;
    }
    expect(await eventRow(db, id)).toMatchObject({ status: "failed", attempts: 1 });
  });
});
