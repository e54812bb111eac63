import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { ACCOUNT_ID, createDocuSignApi, defaultTemplates, DEMO_OAUTH } from "../../tests/support/docusign-api.ts";
import { createDocuSignSchool, rsaKeyPair } from "../../tests/support/docusign.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

const APP_URL = "https://ips.example.test";
const [CONTRACT, PHOTO] = defaultTemplates();
// The seed document's example body.
const EXAMPLE = { templateId: CONTRACT!.templateId, recipientEmail: "registrar@springfield.example", recipientName: "Pat Registrar" };

const docusign = createDocuSignApi();
beforeAll(() => docusign.listen());
afterEach(() => docusign.reset());
afterAll(() => docusign.close());

const pair = rsaKeyPair();

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, any>;
}

async function post(services: TestServices, body: unknown, token: string | null, method = "POST"): Promise<Answer> {
  const headers = new Headers({ "content-type": "application/json" });
  if (token) headers.set("authorization", `Bearer ${token}`);
  const init: RequestInit = { method, headers, ...(body !== undefined && method !== "GET" ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}) };
  const res = await handler(new Request(`${APP_URL}/api/admin/integrations/docusign/test-send`, init), contextFor(services));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // not JSON: assertions on json fail visibly
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe.each(ADAPTERS)("docusign-test-send on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup(options: Parameters<typeof createDocuSignSchool>[3] = {}) {
    const services = await testServices(db);
    const school = await createDocuSignSchool(services, docusign, pair, options);
    const token = await adminToken(school.tenantId);
    return { services, ...school, token, send: (body: unknown = EXAMPLE, as: string | null = token) => post(services, body, as) };
  }

  it("sends an envelope from the template to the given recipient and answers its envelopeId (201)", async () => {
    const { services, tenantId, token, credentials, send } = await setup();

    const res = await send();

    expect(res.status).toBe(201);
    const [envelope] = docusign.envelopes;
    expect(res.json).toEqual({ envelopeId: envelope!.envelopeId, status: "sent" });
    expect(envelope!.accountId).toBe(ACCOUNT_ID);
    expect(envelope!.body).toEqual({
      templateId: CONTRACT!.templateId,
      templateRoles: [{ email: "registrar@springfield.example", name: "Pat Registrar", roleName: "signer" }],
      // The school's tenant marker only (esignature.rest.swagger-v2.1.json textCustomFields): no enrollment to link.
      customFields: { textCustomFields: [{ name: "tenantId", value: tenantId, show: "false", required: "false" }] },
      status: "sent",
    });
    expect(docusign.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      "POST /oauth/token", "GET /oauth/userinfo", `POST /restapi/v2.1/accounts/${ACCOUNT_ID}/envelopes`,
    ]);
    const [audit] = await db.query<{ actor: string; action: string; target: string; details: unknown }>(
      "select actor, action, target, details from audit_log where tenant_id = $1", [tenantId]);
    expect(audit).toEqual({ actor: expect.any(String), action: "docusign.test_envelope_sent", target: envelope!.envelopeId, details: { templateId: CONTRACT!.templateId } });
    const everything = services.logs.lines.join("\n") + res.text;
    expect(everything).not.toContain(credentials.rsaPrivateKey.split("\n")[2]);
    expect(everything).not.toMatch(/eyJ0eXAiOiJNVCIs/);
    expect(token).toBeDefined();
  });

  it("uses the configured template when none is given, and the role asked for", async () => {
    const { send } = await setup({ settings: { environment: "demo", templateId: PHOTO!.templateId } });
    const res = await send({ recipientEmail: "a@b.example", recipientName: "A B", roleName: "Parent" });
    expect(res.status).toBe(201);
    expect(docusign.envelopes[0]!.body).toMatchObject({ templateId: PHOTO!.templateId, templateRoles: [expect.objectContaining({ roleName: "Parent" })] });
  });

  it("works before the integration is enabled, to check the set-up first", async () => {
    const { send } = await setup({ enabled: false });
    expect((await send()).status).toBe(201);
  });

  it("renews an expired token once and sends", async () => {
    const { send } = await setup();
    expect((await send()).status).toBe(201);
    docusign.expireTokens();

    const res = await send();

    expect(res.status).toBe(201);
    expect(docusign.callsTo("/oauth/token")).toHaveLength(2);
    expect(docusign.callsTo("/envelopes")).toHaveLength(3);
    expect(docusign.envelopes).toHaveLength(2);
  });

  it("answers 502 with the consent URL when the DocuSign user has not consented, sending nothing", async () => {
    const { credentials, send } = await setup({ consented: false });

    const res = await send();

    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(res.json).toMatchObject({ code: "docusign_oauth_error: consent_required", title: "DocuSign consent required" });
    expect(res.json.consentUrl).toBe(
      `${DEMO_OAUTH}/oauth/auth?response_type=code&scope=signature+impersonation&client_id=${credentials.integrationKey}&redirect_uri=${encodeURIComponent(`${APP_URL}/admin/config/integrations`)}`,
    );
    expect(docusign.envelopes).toEqual([]);
  });

  it("answers 502 naming DocuSign's errorCode when it refuses the envelope (unknown template, wrong role)", async () => {
    const { send } = await setup();
    const unknownTemplate = await send({ ...EXAMPLE, templateId: "0e0e0e0e-0000-4000-8000-000000000000" });
    const wrongRole = await send({ ...EXAMPLE, roleName: "Principal" });

    expect([unknownTemplate.status, unknownTemplate.json.code, unknownTemplate.json.detail]).toEqual([502, "docusign_api_error: TEMPLATE_ID_INVALID", "Invalid template ID."]);
    expect([wrongRole.status, wrongRole.json.code]).toEqual([502, "docusign_api_error: ENVELOPE_IS_INCOMPLETE"]);
    expect(await db.query("select 1 from audit_log where action = 'docusign.test_envelope_sent' and details->>'templateId' = $1", ["0e0e0e0e-0000-4000-8000-000000000000"])).toEqual([]);
  });

  it("answers 502 naming DocuSign's error when the private key is not the integration key's (invalid_grant)", async () => {
    const services = await testServices(db);
    const school = await createDocuSignSchool(services, docusign, rsaKeyPair());
    // DocuSign now holds another public key for the integration key: it cannot verify the school's assertion.
    docusign.registerApp({ integrationKey: school.credentials.integrationKey, publicKey: pair.publicKey, consentedUsers: [school.credentials.userId] });

    const res = await post(services, EXAMPLE, await adminToken(school.tenantId));

    expect([res.status, res.json.code]).toEqual([502, "docusign_oauth_error: invalid_grant"]);
    expect(res.json.detail).toContain("no_valid_keys_or_signatures");
  });

  it("answers 503 with Retry-After when DocuSign rate-limits, and 502 when it cannot be reached", async () => {
    const { send } = await setup();
    docusign.fail("post", "/envelopes", 429, { errorCode: "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", message: "The maximum number of hourly API invocations has been exceeded." });
    const limited = await send();
    docusign.reset();
    docusign.disconnect("post", "/oauth/token");
    const fresh = await setup();
    const unreachable = await fresh.send();

    expect([limited.status, limited.headers.get("retry-after")]).toEqual([503, "60"]);
    expect([unreachable.status, unreachable.json.code]).toEqual([502, "docusign_connection_error"]);
  });

  it("answers 400 to an invalid body, naming each field, before calling DocuSign", async () => {
    const { send } = await setup();
    const cases: [unknown, string][] = [
      [{ ...EXAMPLE, recipientEmail: "not-an-email" }, "recipientEmail"],
      [{ ...EXAMPLE, recipientName: "  " }, "recipientName"],
      [{ ...EXAMPLE, recipientName: "x".repeat(101) }, "recipientName"],
      [{ templateId: CONTRACT!.templateId, recipientName: "A" }, "recipientEmail"],
      [{ ...EXAMPLE, cc: "x@y.example" }, "cc"],
    ];
    for (const [body, field] of cases) {
      const res = await send(body);
      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual([field]);
    }
    expect((await send("{oops")).status).toBe(400);
    expect(docusign.calls).toHaveLength(0);
  });

  it("answers 400 when no template is given and none is configured", async () => {
    const { send } = await setup({ settings: { environment: "demo" } });
    const res = await send({ recipientEmail: "a@b.example", recipientName: "A B" });
    expect([res.status, res.json.errors]).toEqual([400, { templateId: ["required: this school has no DocuSign template configured"] }]);
  });

  it("answers 409 when DocuSign is not configured, or its credentials are incomplete", async () => {
    const services = await testServices(db);
    const tenantId = await createTenant(db);
    const notConfigured = await post(services, EXAMPLE, await adminToken(tenantId));
    await db.query(
      "insert into integrations (tenant_id, integration_key, is_enabled, credentials, settings) values ($1, 'docusign', false, null, '{}'::jsonb)", [tenantId]);
    const incomplete = await post(services, EXAMPLE, await adminToken(tenantId));

    expect([notConfigured.status, notConfigured.json.code]).toEqual([409, "ERR_DOCUSIGN_NOT_CONFIGURED"]);
    expect([incomplete.status, incomplete.json.code, incomplete.json.detail]).toEqual([409, "ERR_DOCUSIGN_CREDENTIALS", "the DocuSign integration has no integrationKey, userId, rsaPrivateKey"]);
    expect(docusign.calls).toHaveLength(0);
  });

  it("answers 401 without a token, 403 to a non-admin, 405 to GET", async () => {
    const { services, tenantId, send } = await setup();
    expect((await send(EXAMPLE, null)).status).toBe(401);
    expect((await send(EXAMPLE, await signToken({ tenantId }))).status).toBe(403);
    expect((await post(services, undefined, await adminToken(tenantId), "GET")).status).toBe(405);
    expect(docusign.calls).toHaveLength(0);
  });
});
