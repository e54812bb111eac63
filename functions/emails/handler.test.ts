// POST /api/emails: the platform's services enqueue account emails with the service_role key. Both adapters.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { openEmailData } from "../_shared/domain/email/sealed-data.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { serviceRoleToken } from "../../tests/support/service-role.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { adminToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

describe.each(ADAPTERS)("emails (POST /api/emails) on %s", (adapter) => {
  let db: DbPool;
  let services: TestServices;
  let token: string;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    services = await testServices(db);
    token = await serviceRoleToken();
  });
  afterAll(async () => {
    await db?.close();
  });

  async function sendgridTenant(enabled = true): Promise<string> {
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "sendgrid", { apiKey: "SG.emailsTestKey0000000.0123456789abcdefghijklmnopqrstuvw" }, { enabled });
    return tenantId;
  }

  async function post(body: unknown, options: { bearer?: string | null; headers?: Record<string, string>; method?: string } = {}) {
    const bearer = options.bearer === undefined ? token : options.bearer;
    const req = new Request("http://localhost/api/emails", {
      method: options.method ?? "POST",
      headers: { "content-type": "application/json", ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), ...options.headers },
      ...(options.method === "GET" ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const res = await handler(req, contextFor(services));
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  }

  const messagesOf = (tenantId: string) => db.query<Record<string, any>>(
    "select id, kind, to_email, to_name, status, dedupe_key, data, data::text as data_text from email_messages where tenant_id = $1 order by created_at", [tenantId],
  );

  it("enqueues a welcome email (202) with its data sealed at rest, for the email-sender to send", async () => {
    const tenantId = await sendgridTenant();
    const res = await post({
      tenantId, kind: "welcome", to: { email: "new.parent@example.com", name: "New Parent" },
      data: { firstName: "Ada", signInUrl: "https://app.example/magic?token=abc123" }, dedupeKey: "user-42",
    });
    expect(res.status).toBe(202);
    expect(res.json).toEqual({ id: expect.any(String), status: "queued", duplicate: false });
    const [row] = await messagesOf(tenantId);
    expect(row).toMatchObject({ id: res.json.id, kind: "welcome", to_email: "new.parent@example.com", to_name: "New Parent", status: "queued", dedupe_key: "user-42" });
    expect(row!.data_text).not.toContain("abc123");
    expect(await openEmailData(services.vault, tenantId, row!.data)).toEqual({ firstName: "Ada", signInUrl: "https://app.example/magic?token=abc123" });
    expect(services.logs.lines.join("\n")).not.toContain("abc123");
    expect(services.logs.lines.join("\n")).not.toContain("new.parent@example.com");
  });

  it("answers the first message for the same dedupeKey (or Idempotency-Key) and enqueues nothing more", async () => {
    const tenantId = await sendgridTenant();
    const body = { tenantId, kind: "password_reset", to: { email: "p@example.com" }, data: { resetUrl: "https://x" } };
    const first = await post({ ...body, dedupeKey: "reset-1" });
    const again = await post({ ...body, dedupeKey: "reset-1" });
    expect(again).toEqual({ status: 200, json: { id: first.json.id, status: "queued", duplicate: true } });

    const viaHeader = await post(body, { headers: { "idempotency-key": "reset-2" } });
    const viaHeaderAgain = await post(body, { headers: { "idempotency-key": "reset-2" } });
    expect(viaHeaderAgain.json).toEqual({ id: viaHeader.json.id, status: "queued", duplicate: true });
    // Without any key, each request is its own email.
    await post(body);
    await post(body);
    expect(await messagesOf(tenantId)).toHaveLength(4);
  });

  it("accepts the same dedupeKey for another kind or another tenant", async () => {
    const tenantId = await sendgridTenant();
    const other = await sendgridTenant();
    const base = { to: { email: "p@example.com" }, dedupeKey: "user-1" };
    expect((await post({ ...base, tenantId, kind: "welcome" })).status).toBe(202);
    expect((await post({ ...base, tenantId, kind: "password_reset" })).status).toBe(202);
    expect((await post({ ...base, tenantId: other, kind: "welcome" })).status).toBe(202);
  });

  it.each([
    ["no token", null, 401],
    ["a token signed with another secret", "other", 401],
    ["an admin's token", "admin", 403],
  ] as const)("refuses %s and enqueues nothing", async (_, kind, status) => {
    const tenantId = await sendgridTenant();
    const bearer = kind === null ? null : kind === "admin" ? await adminToken(tenantId) : await serviceRoleToken("another-secret-that-is-at-least-32-characters");
    const res = await post({ tenantId, kind: "welcome", to: { email: "p@example.com" } }, { bearer });
    expect(res.status).toBe(status);
    expect(await messagesOf(tenantId)).toEqual([]);
  });

  it.each([
    ["a kind the platform may not enqueue", { kind: "marketing" }, "kind"],
    ["a payment confirmation (the webhook's)", { kind: "payment_confirmation" }, "kind"],
    ["an invalid address", { to: { email: "not-an-address" } }, "to.email"],
    ["a tenant id that is not a uuid", { tenantId: "school-1" }, "tenantId"],
    ["an unknown field", { priority: "high" }, "priority"],
    ["data that is not an object", { data: ["a"] }, "data"],
    ["data over 16 KiB", { data: { blob: "x".repeat(17_000) } }, "data"],
  ])("answers 400 to %s, naming the field", async (_, change, field) => {
    const tenantId = await sendgridTenant();
    const res = await post({ tenantId, kind: "welcome", to: { email: "p@example.com" }, ...change });
    expect(res.status).toBe(400);
    expect(Object.keys(res.json.errors)).toContain(field);
    expect(await messagesOf(tenantId)).toEqual([]);
  });

  it("answers 400 to a body that is not JSON, and 405 to another method", async () => {
    expect((await post("{not json")).status).toBe(400);
    expect((await post(undefined, { method: "GET" })).status).toBe(405);
  });

  it("answers 404 for an unknown tenant and 409 for a tenant without SendGrid enabled", async () => {
    const unknown = await post({ tenantId: crypto.randomUUID(), kind: "welcome", to: { email: "p@example.com" } });
    expect(unknown).toMatchObject({ status: 404, json: { code: "ERR_TENANT_NOT_FOUND" } });
    const disabled = await sendgridTenant(false);
    const bare = await createTenant(db);
    for (const tenantId of [disabled, bare]) {
      const res = await post({ tenantId, kind: "welcome", to: { email: "p@example.com" } });
      expect(res).toMatchObject({ status: 409, json: { code: "ERR_SENDGRID_NOT_ENABLED" } });
      expect(await messagesOf(tenantId)).toEqual([]);
    }
  });
});
