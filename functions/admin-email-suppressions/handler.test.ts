// admin-email-suppressions on both adapters: the list filled by real, signed SendGrid Event Webhook deliveries
// (ECDSA P-256 over timestamp + body, made with Node's crypto as SendGrid documents), and an audited removal.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { callHandler } from "../../tests/support/delivery.ts";
import { sendgridWebhook } from "../../tests/support/function-handlers.ts";
import { sendgridEvent, sendgridSigningKey, signedSendGridRequest } from "../../tests/support/sendgrid.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { asProbe, grantProbeRead } from "../../tests/support/rls.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

const NOW_MS = 1_790_000_000_000;

describe.each(ADAPTERS)("admin-email-suppressions on %s", (adapter) => {
  let db: DbPool;
  let services: Services & { logs: CapturedLogs };
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    services = await testServices(db, { now: () => NOW_MS });
  });
  afterAll(async () => {
    await db?.close();
  });

  async function school() {
    const key = sendgridSigningKey();
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "sendgrid", {
      apiKey: "SG.suppressionAdminKey.0123456789abcdefghijklmnopqrstuvwx", eventWebhookPublicKey: key.publicKey,
    }, { enabled: true, settings: { fromEmail: "office@school.example" } });
    const deliver = async (...events: object[]) => {
      const body = `${JSON.stringify(events.map((e) => ({ ...e, ips_tenant_id: tenantId })))}\r\n`;
      const res = await callHandler(sendgridWebhook, services, { tenantId },
        signedSendGridRequest(tenantId, body, { privateKey: key.privateKey, timestamp: NOW_MS / 1000 }));
      expect(res.status).toBe(200);
    };
    return { tenantId, token: await adminToken(tenantId), deliver };
  }

  const call = (method: string, path: string, token: string | null, params: Record<string, string> = {}) =>
    callHandler(handler, services, params, new Request(`http://localhost${path}`, {
      method, headers: token ? { authorization: `Bearer ${token}` } : {},
    }));
  const remove = (email: string, token: string | null) =>
    call("DELETE", `/api/admin/email-suppressions/${encodeURIComponent(email)}`, token, { email });

  it("lists what the Event Webhook suppressed, newest first, paging with nextCursor, only for the caller's tenant", async () => {
    const { token, deliver } = await school();
    for (const [i, event] of ["bounce", "spamreport", "unsubscribe", "group_unsubscribe"].entries()) {
      await deliver(sendgridEvent(event, { email: `Family${i}@Example.com`, extra: { type: "bounce", reason: i === 0 ? "550 no such user" : undefined } }));
    }
    const other = await school();
    await other.deliver(sendgridEvent("bounce", { email: "elsewhere@example.com", extra: { type: "bounce" } }));

    const first = await call("GET", "/api/admin/email-suppressions?limit=3", token);
    expect(first.status).toBe(200);
    expect(first.json.suppressions.map((s: { email: string }) => s.email)).toEqual(["family3@example.com", "family2@example.com", "family1@example.com"]);
    expect(first.json.suppressions[1]).toEqual({
      email: "family2@example.com", reason: "unsubscribe", scope: "marketing", detail: null, createdAt: expect.any(String), updatedAt: expect.any(String),
    });
    const second = await call("GET", `/api/admin/email-suppressions?limit=3&cursor=${first.json.nextCursor}`, token);
    expect(second.json).toEqual({
      suppressions: [expect.objectContaining({ email: "family0@example.com", reason: "bounce", scope: "all", detail: "550 no such user" })],
      nextCursor: null,
    });
  });

  it("removes an address (audited, case-insensitive) and answers 404 once it is gone", async () => {
    const { tenantId, token, deliver } = await school();
    await deliver(sendgridEvent("bounce", { email: "fixed@example.com", extra: { type: "bounce" } }));
    const admin = await signToken({ tenantId, role: "admin" });

    const res = await remove("Fixed@Example.com", admin);
    expect(res.status).toBe(200);
    expect(res.json.removed).toMatchObject({ email: "fixed@example.com", reason: "bounce", scope: "all" });
    expect((await call("GET", "/api/admin/email-suppressions", token)).json.suppressions).toEqual([]);
    expect(await db.query("select action, target, details from audit_log where tenant_id = $1", [tenantId]))
      .toEqual([{ action: "email_suppression.removed", target: "fixed@example.com", details: { reason: "bounce", scope: "all" } }]);

    expect((await remove("fixed@example.com", admin)).status).toBe(404);
  });

  it("never removes another tenant's suppression: 404, and theirs stays", async () => {
    const mine = await school();
    const theirs = await school();
    await theirs.deliver(sendgridEvent("spamreport", { email: "theirs@example.com" }));
    expect((await remove("theirs@example.com", mine.token)).status).toBe(404);
    expect((await call("GET", "/api/admin/email-suppressions", theirs.token)).json.suppressions).toHaveLength(1);
  });

  it("row-level security: an admin reads its tenant's suppressions, a member and another tenant none", async () => {
    const { tenantId, deliver } = await school();
    const other = await school();
    await deliver(sendgridEvent("spamreport", { email: "rls@example.com" }));
    await other.deliver(sendgridEvent("spamreport", { email: "rls-other@example.com" }));
    await grantProbeRead(db, ["email_suppressions"]);
    const read = (claims: Record<string, unknown>) => asProbe(db, claims, (tx) => tx.query<{ email: string }>("select email from email_suppressions"));
    expect(await read({ sub: "a", app_metadata: { tenant_id: tenantId, role: "admin" } })).toEqual([{ email: "rls@example.com" }]);
    expect(await read({ sub: "g", app_metadata: { tenant_id: tenantId, role: "guardian" } })).toEqual([]);
    expect(await read({ sub: "g" })).toEqual([]);
  });

  it("answers 400 to a malformed email, cursor or limit, 405 to other methods, 401 without a token and 403 to a non-admin", async () => {
    const { tenantId, token } = await school();
    const bad = await remove("not-an-email", token);
    expect(bad.status).toBe(400);
    expect(bad.json.errors).toEqual({ email: [expect.any(String)] });
    expect((await call("GET", "/api/admin/email-suppressions?cursor=nope", token)).json.errors).toHaveProperty("cursor");
    expect((await call("GET", "/api/admin/email-suppressions?limit=0", token)).status).toBe(400);
    expect((await call("GET", "/api/admin/email-suppressions?unknown=1", token)).status).toBe(400);
    expect((await call("POST", "/api/admin/email-suppressions", token)).status).toBe(405);
    expect((await call("GET", "/api/admin/email-suppressions/a%40example.com", token, { email: "a@example.com" })).status).toBe(405);
    expect((await call("GET", "/api/admin/email-suppressions", null)).status).toBe(401);
    expect((await remove("a@example.com", null)).status).toBe(401);
    expect((await call("GET", "/api/admin/email-suppressions", await signToken({ tenantId, role: "guardian" }))).status).toBe(403);
  });
});
