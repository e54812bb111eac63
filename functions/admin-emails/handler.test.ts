// admin-emails: the outbox list and the test email, on both adapters, with SendGrid mocked at the HTTP layer.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { enqueueEmailStatement } from "../_shared/domain/email/enqueue.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { createSendGridApi, SENDGRID_EU, SENDGRID_GLOBAL } from "../../tests/support/sendgrid-api.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

const sendgridApi = createSendGridApi([SENDGRID_GLOBAL, SENDGRID_EU]);
beforeAll(() => sendgridApi.listen());
afterEach(() => sendgridApi.reset());
afterAll(() => sendgridApi.close());

type TestServices = Services & { logs: CapturedLogs };
const apiKeyOf = () => `SG.${crypto.randomUUID().replaceAll("-", "").slice(0, 22)}.${crypto.randomUUID().replaceAll("-", "")}`;

describe.each(ADAPTERS)("admin-emails on %s", (adapter) => {
  let db: DbPool;
  let services: TestServices;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    services = await testServices(db);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function school(options: { settings?: Record<string, unknown>; enabled?: boolean } = {}) {
    const tenantId = await createTenant(db);
    const apiKey = apiKeyOf();
    await configureIntegration(services, tenantId, "sendgrid", { apiKey }, {
      enabled: options.enabled ?? true,
      settings: { fromEmail: "office@school.example", fromName: "Maple School", templates: { welcome: "d-0000aaaa" }, ...options.settings },
    });
    return { tenantId, apiKey, token: await adminToken(tenantId) };
  }

  async function call(method: string, path: string, token: string | null, body?: unknown) {
    const req = new Request(`http://localhost${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
    });
    const res = await handler(req, contextFor(services));
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, json: JSON.parse(text) as Record<string, any> };
  }

  const enqueue = async (tenantId: string, kind: "welcome" | "marketing" | "payment_confirmation", status = "queued", data: Record<string, unknown> = {}) => {
    const dedupeKey = crypto.randomUUID();
    const statement = enqueueEmailStatement({ tenantId, kind, to: { email: `${kind}@example.com` }, dedupeKey, data });
    await db.query(statement.text, statement.values);
    // By its dedupe key: two messages enqueued in the same clock tick share created_at.
    const [row] = await db.query<{ id: string }>(
      "update email_messages set status = $2 where tenant_id = $1 and dedupe_key = $3 returning id",
      [tenantId, status, dedupeKey],
    );
    return row!.id;
  };

  describe("GET /api/admin/emails", () => {
    it("lists the tenant's messages newest first, pages with nextCursor, and never shows template data", async () => {
      const { tenantId, token } = await school();
      const ids = [];
      for (let i = 0; i < 5; i++) ids.push(await enqueue(tenantId, "welcome", "queued", { signInUrl: `https://app.example/magic?token=t${i}` }));
      const other = await school();
      await enqueue(other.tenantId, "welcome");

      const first = await call("GET", "/api/admin/emails?limit=3", token);
      expect(first.status).toBe(200);
      expect(first.json.emails.map((e: { id: string }) => e.id)).toEqual(ids.slice(2).reverse());
      expect(first.json.emails[0]).toEqual({
        id: ids[4], kind: "welcome", toEmail: "welcome@example.com", toName: null, status: "queued", attempts: 0,
        nextAttemptAt: expect.any(String), lastError: null, providerMessageId: null, deliveryStatus: null, deliveryUpdatedAt: null,
        createdAt: expect.any(String), sentAt: null,
      });
      const second = await call("GET", `/api/admin/emails?limit=3&cursor=${first.json.nextCursor}`, token);
      expect(second.json.emails.map((e: { id: string }) => e.id)).toEqual(ids.slice(0, 2).reverse());
      expect(second.json.nextCursor).toBeNull();
      expect(first.text + second.text).not.toContain("magic?token");
    });

    it("filters by status and kind", async () => {
      const { tenantId, token } = await school();
      const dead = await enqueue(tenantId, "marketing", "dead");
      await enqueue(tenantId, "welcome", "sent");
      await enqueue(tenantId, "marketing", "sent");
      expect((await call("GET", "/api/admin/emails?status=dead", token)).json.emails.map((e: { id: string }) => e.id)).toEqual([dead]);
      expect((await call("GET", "/api/admin/emails?kind=marketing", token)).json.emails).toHaveLength(2);
      expect((await call("GET", "/api/admin/emails?kind=marketing&status=sent", token)).json.emails).toHaveLength(1);
      const suppressed = await enqueue(tenantId, "welcome", "suppressed");
      expect((await call("GET", "/api/admin/emails?status=suppressed", token)).json.emails.map((e: { id: string }) => e.id)).toEqual([suppressed]);
    });

    it.each([
      ["status=bounced", "status"],
      ["kind=newsletter", "kind"],
      ["limit=0", "limit"],
      ["limit=500", "limit"],
      ["cursor=nope", "cursor"],
      ["colour=blue", "colour"],
    ])("answers 400 to ?%s, naming the parameter", async (query, field) => {
      const { token } = await school();
      const res = await call("GET", `/api/admin/emails?${query}`, token);
      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual([field]);
    });

    it("answers 401 without a token and 403 to a non-admin", async () => {
      const { tenantId } = await school();
      expect((await call("GET", "/api/admin/emails", null)).status).toBe(401);
      expect((await call("GET", "/api/admin/emails", await signToken({ tenantId, role: "member" }))).status).toBe(403);
    });

    it("answers 405 to other methods on each route", async () => {
      const { token } = await school();
      expect((await call("POST", "/api/admin/emails", token, {})).status).toBe(405);
      expect((await call("GET", "/api/admin/emails/test", token)).status).toBe(405);
    });
  });

  describe("POST /api/admin/emails/test", () => {
    it("sends the kind's template now, keeps it in the list as sent, and audits it", async () => {
      const { tenantId, token, apiKey } = await school();
      const res = await call("POST", "/api/admin/emails/test", token, { to: "me@school.example", data: { firstName: "Test" } });
      expect(res.status).toBe(200);
      const [sent] = sendgridApi.callsTo("/v3/mail/send");
      expect(sent!.headers.get("authorization")).toBe(`Bearer ${apiKey}`);
      expect(sent!.body).toMatchObject({
        template_id: "d-0000aaaa", from: { email: "office@school.example", name: "Maple School" },
        personalizations: [{ to: [{ email: "me@school.example" }], dynamic_template_data: { firstName: "Test" } }],
        custom_args: { ips_message_id: res.json.id, ips_tenant_id: tenantId },
      });
      expect(res.json).toEqual({ id: expect.any(String), status: "sent", kind: "welcome", template: true, sandbox: false, providerMessageId: sent!.messageId });
      const list = await call("GET", "/api/admin/emails", token);
      expect(list.json.emails).toEqual([expect.objectContaining({ id: res.json.id, status: "sent", providerMessageId: sent!.messageId, attempts: 1 })]);
      const audit = await db.query("select actor, action, target, details from audit_log where tenant_id = $1", [tenantId]);
      expect(audit).toEqual([{ actor: expect.any(String), action: "email.test_sent", target: "welcome", details: { messageId: res.json.id, template: true, sandbox: false } }]);
    });

    it("sends plain text when the kind has no template, on the EU host for dataResidency eu", async () => {
      const { token } = await school({ settings: { dataResidency: "eu", sandboxMode: true } });
      const res = await call("POST", "/api/admin/emails/test", token, { to: "me@school.example", kind: "payment_confirmation" });
      expect(res.json).toMatchObject({ status: "sent", template: false, sandbox: true, providerMessageId: null });
      const [sent] = sendgridApi.callsTo("/v3/mail/send");
      expect(sent!.base).toBe(SENDGRID_EU);
      expect(sent!.body).not.toHaveProperty("template_id");
      expect(sent!.body!.content[0].type).toBe("text/plain");
    });

    it.each([
      [401, [{ message: "The provided authorization grant is invalid, expired, or revoked" }], 502, "sendgrid_unauthorized"],
      [403, [{ message: "The from address does not match a verified Sender Identity.", field: "from" }], 502, "sendgrid_forbidden"],
      [400, [{ message: "The template_id must be a valid GUID", field: "template_id" }], 409, "sendgrid_bad_request"],
      [500, [{ message: "internal error" }], 502, "sendgrid_server_error"],
    ])("answers SendGrid's %s with %s naming SendGrid's error, never the key, and lists the test as dead", async (sgStatus, errors, status, code) => {
      const { token, apiKey } = await school();
      sendgridApi.fail("post", "/v3/mail/send", sgStatus, errors);
      const res = await call("POST", "/api/admin/emails/test", token, { to: "me@school.example" });
      expect(res.status).toBe(status);
      expect(res.json).toMatchObject({ code, detail: expect.stringContaining(`SendGrid answered ${sgStatus}: `) });
      expect(res.json.detail).toContain(errors[0]!.message);
      expect(res.text).not.toContain(apiKey);
      expect(services.logs.lines.join("\n")).not.toContain(apiKey);
      const list = await call("GET", "/api/admin/emails", token);
      expect(list.json.emails).toEqual([expect.objectContaining({ status: "dead", lastError: res.json.detail })]);
    });

    it("answers 503 with Retry-After when SendGrid rate-limits, and 502 when it cannot be reached", async () => {
      const { token } = await school();
      sendgridApi.fail("post", "/v3/mail/send", 429, [{ message: "too many requests" }], { "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 30) });
      const limited = await call("POST", "/api/admin/emails/test", token, { to: "me@school.example" });
      expect(limited.status).toBe(503);
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(25);
      sendgridApi.reset();
      sendgridApi.disconnect("post", "/v3/mail/send");
      const down = await call("POST", "/api/admin/emails/test", token, { to: "me@school.example" });
      expect(down).toMatchObject({ status: 502, json: { code: "sendgrid_unreachable", detail: "SendGrid could not be reached" } });
    });

    it.each([
      ["SendGrid disabled", { enabled: false }, {}, "ERR_SENDGRID_NOT_ENABLED"],
      ["no fromEmail", { settings: { fromEmail: undefined } }, {}, "ERR_SENDGRID_NO_FROM_EMAIL"],
      ["marketing without an unsubscribe group", {}, { kind: "marketing" }, "ERR_SENDGRID_NO_UNSUBSCRIBE_GROUP"],
    ])("answers 409 with %s, calling nothing", async (_, setup, body, code) => {
      const { token } = await school(setup);
      const res = await call("POST", "/api/admin/emails/test", token, { to: "me@school.example", ...body });
      expect(res).toMatchObject({ status: 409, json: { code } });
      expect(sendgridApi.calls).toEqual([]);
    });

    it("answers 409 when the school never configured SendGrid", async () => {
      const tenantId = await createTenant(db);
      const res = await call("POST", "/api/admin/emails/test", await adminToken(tenantId), { to: "me@school.example" });
      expect(res).toMatchObject({ status: 409, json: { code: "ERR_SENDGRID_NOT_ENABLED" } });
    });

    it.each([
      ["no body", undefined, "to"],
      ["an invalid address", { to: "nope" }, "to"],
      ["an unknown kind", { to: "me@school.example", kind: "newsletter" }, "kind"],
      ["an unknown field", { to: "me@school.example", cc: "x@example.com" }, "cc"],
    ])("answers 400 to %s", async (_, body, field) => {
      const { token } = await school();
      const res = await call("POST", "/api/admin/emails/test", token, body);
      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual([field]);
      expect(sendgridApi.calls).toEqual([]);
    });

    it("answers 401/403 to no token and a non-admin, calling nothing", async () => {
      const { tenantId } = await school();
      expect((await call("POST", "/api/admin/emails/test", null, { to: "me@school.example" })).status).toBe(401);
      expect((await call("POST", "/api/admin/emails/test", await signToken({ tenantId, role: "member" }), { to: "me@school.example" })).status).toBe(403);
      expect(sendgridApi.calls).toEqual([]);
    });
  });
});
