import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { Db, DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { createStripeSchool, deliverStripeEvent, paidEnrollmentFee, rand, tuitionSubscription } from "../../tests/support/payments.ts";
import { dispute } from "../../tests/support/stripe.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { createEnrollment, createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, any>;
}

async function get(services: TestServices, pathAndQuery: string, token?: string): Promise<Answer> {
  const headers = new Headers(token ? { authorization: `Bearer ${token}` } : {});
  const res = await handler(new Request(`https://ips.example.test${pathAndQuery}`, { headers }), contextFor(services));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // CSV or empty
  }
  return { status: res.status, headers: res.headers, text, json };
}

/**
 * A payment row as the webhook would leave it, at a chosen `created_at` (for ordering and paging). The time
 * goes in as text: postgres.js would turn a timestamptz parameter into a Date and drop its microseconds.
 */
async function insertPayment(
  db: Db, tenantId: string,
  fields: { enrollmentId?: string | null; status?: string; amount?: number; createdAt?: string; kind?: string; failureReason?: string } = {},
): Promise<string> {
  const [row] = await db.query<{ id: string }>(
    `insert into payments (tenant_id, enrollment_id, kind, stripe_payment_intent, stripe_customer, amount, currency, status,
                           status_rank, failure_reason, source_event_created, created_at)
     values ($1, $2, $3, $4, 'cus_List1', $5, 'usd', $6, 2, $7, now(), coalesce($8::text::timestamptz, now())) returning id`,
    [tenantId, fields.enrollmentId ?? null, fields.kind ?? "enrollment_fee", `pi_3${rand(30)}`, fields.amount ?? 15_000,
      fields.status ?? "succeeded", fields.failureReason ?? null, fields.createdAt ?? null],
  );
  return row!.id;
}

/** RFC 4180 parser (quoted fields, doubled quotes, CRLF): independent of the writer under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(field), (field = "");
    else if (c === "\r" && text[i + 1] === "\n") row.push(field), rows.push(row), (row = []), (field = ""), i++;
    else field += c;
  }
  if (field || row.length) throw new Error("CSV does not end with CRLF");
  return rows;
}

describe.each(ADAPTERS)("admin-payments history on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup() {
    const services = await testServices(db);
    const school = await createStripeSchool(services, { currency: "usd", enrollmentFeeAmount: 15_000 });
    return { services, ...school, token: await adminToken(school.tenantId) };
  }

  describe("GET /api/admin/payments", () => {
    it("lists the tenant's payments newest first, with the enrollment's student and pending refunds", async () => {
      const { services, tenantId, enrollmentId, token } = await setup();
      await db.query("update enrollments set student_name = 'Ada Student' where id = $1", [enrollmentId]);
      const older = await insertPayment(db, tenantId, { enrollmentId, createdAt: "2026-01-10T09:00:00Z" });
      const newer = await insertPayment(db, tenantId, { status: "failed", kind: "tuition", failureReason: "Your card was declined.", createdAt: "2026-01-11T09:00:00Z" });
      const other = await createStripeSchool(services);
      await paidEnrollmentFee(services, other.tenantId, other.enrollmentId);

      const res = await get(services, "/api/admin/payments", token);

      expect(res.status).toBe(200);
      expect(res.json.nextCursor).toBeNull();
      expect(res.json.payments.map((p: { id: string }) => p.id)).toEqual([newer, older]);
      expect(res.json.payments[1]).toEqual({
        id: older, enrollmentId, studentName: "Ada Student", kind: "enrollment_fee", status: "succeeded", currency: "usd",
        amount: 15_000, amountRefunded: 0, amountRefundPending: 0, stripePaymentIntent: expect.stringMatching(/^pi_3/),
        stripeInvoice: null, stripeCheckoutSession: null, stripeSubscription: null, stripeCustomer: "cus_List1",
        failureReason: null, disputeStatus: null, createdAt: "2026-01-10T09:00:00.000Z", updatedAt: expect.any(String),
      });
      expect(res.json.payments[0]).toMatchObject({ status: "failed", failureReason: "Your card was declined.", enrollmentId: null });
    });

    it("filters by status, enrollment and period (a date-only `to` includes that day)", async () => {
      const { services, tenantId, enrollmentId, token } = await setup();
      const jan10 = await insertPayment(db, tenantId, { enrollmentId, createdAt: "2026-01-10T23:59:59.999Z" });
      const jan11 = await insertPayment(db, tenantId, { createdAt: "2026-01-11T00:00:00Z" });
      const failed = await insertPayment(db, tenantId, { status: "failed", createdAt: "2026-01-12T12:00:00Z" });
      const ids = async (query: string) => (await get(services, `/api/admin/payments?${query}`, token)).json.payments.map((p: { id: string }) => p.id);

      expect(await ids("status=failed")).toEqual([failed]);
      expect(await ids(`enrollmentId=${enrollmentId}`)).toEqual([jan10]);
      expect(await ids("from=2026-01-11")).toEqual([failed, jan11]);
      expect(await ids("to=2026-01-10")).toEqual([jan10]);
      expect(await ids("from=2026-01-10T12:00:00Z&to=2026-01-12T12:00:00Z")).toEqual([jan11, jan10]);
      expect(await ids("from=2026-01-11T00:59:59.999%2B01:00&to=2026-01-12")).toEqual([failed, jan11, jan10]);
      expect(await ids("from=2026-01-11T01:00:00%2B01:00&to=2026-01-12T12:00:00Z")).toEqual([jan11]);
    });

    it("pages newest first with an opaque cursor, ties on created_at broken by id, nothing skipped or repeated", async () => {
      const { services, tenantId, token } = await setup();
      const same = "2026-02-01T10:00:00.123456Z";
      const created = [
        await insertPayment(db, tenantId, { createdAt: "2026-02-01T09:00:00Z" }),
        await insertPayment(db, tenantId, { createdAt: same }),
        await insertPayment(db, tenantId, { createdAt: same }),
        await insertPayment(db, tenantId, { createdAt: same }),
        await insertPayment(db, tenantId, { createdAt: "2026-02-01T10:00:00.123457Z" }),
      ];

      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const res: Answer = await get(services, `/api/admin/payments?limit=2${cursor ? `&cursor=${cursor}` : ""}`, token);
        expect(res.status).toBe(200);
        expect(res.json.payments.length).toBeLessThanOrEqual(2);
        seen.push(...res.json.payments.map((p: { id: string }) => p.id));
        cursor = res.json.nextCursor;
        if (cursor) expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
        pages++;
      } while (cursor && pages < 10);

      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(5);
      expect(seen[0]).toBe(created[4]);
      expect(seen[4]).toBe(created[0]);
      expect(seen.slice(1, 4)).toEqual([...created.slice(1, 4)].sort().reverse());
    });

    it("answers 400 naming each invalid query parameter", async () => {
      const { services, token } = await setup();
      const errors = async (query: string) => {
        const res = await get(services, `/api/admin/payments?${query}`, token);
        expect(res.status, query).toBe(400);
        expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
        return Object.keys(res.json.errors).sort();
      };

      expect(await errors("status=paid&enrollmentId=42")).toEqual(["enrollmentId", "status"]);
      expect(await errors("from=yesterday")).toEqual(["from"]);
      expect(await errors("to=2026-13-01")).toEqual(["to"]);
      expect(await errors("cursor=not-a-cursor")).toEqual(["cursor"]);
      expect(await errors(`cursor=${Buffer.from('[1,"x"]').toString("base64url")}`)).toEqual(["cursor"]);
      expect(await errors("limit=0")).toEqual(["limit"]);
      expect(await errors("limit=201")).toEqual(["limit"]);
      expect(await errors("limit=ten")).toEqual(["limit"]);
      expect(await errors("format=xml")).toEqual(["format"]);
      expect(await errors("sort=amount")).toEqual(["sort"]);
      expect(await errors("from=2026-02-01&to=2026-01-01")).toEqual(["to"]);
    });

    it("shows each payment's dispute status (from charge.dispute.*) in the list and the CSV", async () => {
      const { services, tenantId, enrollmentId, token } = await setup();
      const disputed = await paidEnrollmentFee(services, tenantId, enrollmentId);
      const calm = await paidEnrollmentFee(services, tenantId, await createEnrollment(db, tenantId));
      await deliverStripeEvent(services, tenantId, "charge.dispute.created", dispute({ paymentIntent: disputed, amount: 15_000 }));

      const list = await get(services, "/api/admin/payments", token);
      const csv = parseCsv((await get(services, "/api/admin/payments?format=csv", token)).text);

      const byIntent = Object.fromEntries(list.json.payments.map((p: { stripePaymentIntent: string; disputeStatus: string | null }) => [p.stripePaymentIntent, p.disputeStatus]));
      expect(byIntent).toEqual({ [disputed]: "needs_response", [calm]: null });
      const column = csv[0]!.indexOf("dispute_status");
      const intentColumn = csv[0]!.indexOf("stripe_payment_intent");
      expect(Object.fromEntries(csv.slice(1).map((row) => [row[intentColumn], row[column]]))).toEqual({ [disputed]: "needs_response", [calm]: "" });
    });

    it("exports CSV: a header row, RFC 4180 quoting, formula-looking cells defused", async () => {
      const { services, tenantId, token } = await setup();
      const tricky = await createEnrollment(db, tenantId, 'Smith, "Jo"\nJr.');
      const formula = await createEnrollment(db, tenantId, '=HYPERLINK("http://evil.example","pay here")');
      const a = await insertPayment(db, tenantId, { enrollmentId: tricky, amount: 15_000, createdAt: "2026-03-01T08:00:00Z" });
      const b = await insertPayment(db, tenantId, { enrollmentId: formula, status: "failed", failureReason: "-1+1 @card", createdAt: "2026-03-02T08:00:00Z" });

      const res = await get(services, "/api/admin/payments?format=csv", token);

      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8; header=present");
      expect(res.headers.get("content-disposition")).toBe('attachment; filename="payments.csv"');
      expect(res.text.endsWith("\r\n")).toBe(true);
      const rows = parseCsv(res.text);
      expect(rows[0]).toEqual([
        "id", "created_at", "enrollment_id", "student_name", "kind", "status", "currency", "amount_minor",
        "amount_refunded_minor", "amount_refund_pending_minor", "stripe_payment_intent", "stripe_invoice",
        "stripe_customer", "failure_reason", "dispute_status",
      ]);
      expect(rows).toHaveLength(3);
      expect(rows[1]!.slice(0, 8)).toEqual([b, "2026-03-02T08:00:00.000Z", formula, `'=HYPERLINK("http://evil.example","pay here")`, "enrollment_fee", "failed", "usd", "15000"]);
      expect(rows[1]![13]).toBe("'-1+1 @card");
      expect(rows[2]!.slice(0, 10)).toEqual([a, "2026-03-01T08:00:00.000Z", tricky, 'Smith, "Jo"\nJr.', "enrollment_fee", "succeeded", "usd", "15000", "0", "0"]);
      expect(res.text).toContain('"Smith, ""Jo""\nJr."');
      for (const row of rows) expect(row).toHaveLength(15);
    });

    it("CSV honours the filters and says where the next file starts", async () => {
      const { services, tenantId, token } = await setup();
      await insertPayment(db, tenantId, { createdAt: "2026-03-01T08:00:00Z" });
      await insertPayment(db, tenantId, { createdAt: "2026-03-02T08:00:00Z" });
      await insertPayment(db, tenantId, { status: "failed" });

      const first = await get(services, "/api/admin/payments?format=csv&status=succeeded&limit=1", token);
      const rest = await get(services, `/api/admin/payments?format=csv&status=succeeded&limit=1&cursor=${first.headers.get("x-next-cursor")}`, token);

      expect(parseCsv(first.text)).toHaveLength(2);
      expect(parseCsv(first.text)[1]![1]).toBe("2026-03-02T08:00:00.000Z");
      expect(parseCsv(rest.text)[1]![1]).toBe("2026-03-01T08:00:00.000Z");
      expect(rest.headers.get("x-next-cursor")).toBeNull();
    });
  });

  describe("GET /api/admin/subscriptions", () => {
    it("lists the tenant's subscriptions newest first, filtered and paged", async () => {
      const { services, tenantId, enrollmentId, token } = await setup();
      const second = await createEnrollment(db, tenantId, "Bo Student");
      const active = await tuitionSubscription(services, tenantId, enrollmentId, "active", "cus_Sub1");
      const canceled = await tuitionSubscription(services, tenantId, second, "canceled");
      const other = await createStripeSchool(services);
      await tuitionSubscription(services, other.tenantId, other.enrollmentId);

      const all = await get(services, "/api/admin/subscriptions", token);
      const page = await get(services, "/api/admin/subscriptions?limit=1", token);
      const next = await get(services, `/api/admin/subscriptions?limit=1&cursor=${page.json.nextCursor}`, token);
      const onlyActive = await get(services, "/api/admin/subscriptions?status=active", token);
      const csv = await get(services, "/api/admin/subscriptions?format=csv", token);

      expect(all.status).toBe(200);
      expect(all.json.subscriptions.map((s: { stripeSubscriptionId: string }) => s.stripeSubscriptionId)).toEqual([canceled, active]);
      expect(all.json.subscriptions[1]).toMatchObject({
        enrollmentId, stripeSubscriptionId: active, stripeCustomer: "cus_Sub1", stripePriceId: "price_1Tuition", status: "active",
        cancelAtPeriodEnd: false, currentPeriodEnd: expect.any(String),
      });
      expect([...page.json.subscriptions, ...next.json.subscriptions].map((s: { stripeSubscriptionId: string }) => s.stripeSubscriptionId)).toEqual([canceled, active]);
      expect(next.json.nextCursor).toBeNull();
      expect(onlyActive.json.subscriptions).toHaveLength(1);
      expect(parseCsv(csv.text)[0]![0]).toBe("id");
      expect(parseCsv(csv.text)).toHaveLength(3);
      expect((await get(services, "/api/admin/subscriptions?status=succeeded", token)).status).toBe(400);
    });
  });

  describe("auth", () => {
    it("answers 401 without a token, 403 for a member, and shows an admin only its own tenant", async () => {
      const { services, tenantId, token } = await setup();
      await insertPayment(db, tenantId);
      const member = await signToken({ tenantId });
      const otherAdmin = await adminToken(await createTenant(db));

      for (const path of ["/api/admin/payments", "/api/admin/subscriptions", "/api/admin/payments?format=csv"]) {
        expect((await get(services, path)).status).toBe(401);
        const forbidden = await get(services, path, member);
        expect(forbidden.status).toBe(403);
        expect(forbidden.json.code).toBe("ERR_AUTH_FORBIDDEN");
      }
      expect((await get(services, "/api/admin/payments", token)).json.payments).toHaveLength(1);
      expect((await get(services, "/api/admin/payments", otherAdmin)).json.payments).toEqual([]);
      expect(parseCsv((await get(services, "/api/admin/payments?format=csv", otherAdmin)).text)).toHaveLength(1);
    });
  });
});
