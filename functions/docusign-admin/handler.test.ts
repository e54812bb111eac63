import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { Db, DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { ACCOUNT_ID, createDocuSignApi, defaultTemplates, DEMO_OAUTH } from "../../tests/support/docusign-api.ts";
import { connectEvent, createDocuSignSchool, rsaKeyPair, signedConnectRequest } from "../../tests/support/docusign.ts";
import { APP_URL, callFunction, enrollmentWithSigner, signatureOf, type Answer } from "../../tests/support/docusign-contracts.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { createEnrollment } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { docusignWebhook } from "../../tests/support/function-handlers.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

const [CONTRACT, PHOTO] = defaultTemplates();

const docusign = createDocuSignApi();
beforeAll(() => docusign.listen());
afterEach(() => docusign.reset());
afterAll(() => docusign.close());

const pair = rsaKeyPair();

const call = (services: TestServices, method: string, path: string, options: Parameters<typeof callFunction>[4] = {}) =>
  callFunction(handler, services, method, path, options);
const enrollmentOf = signatureOf;
const auditOf = (db: Db, tenantId: string) => db.query<{ actor: string; action: string; target: string; details: Record<string, unknown> }>(
  "select actor, action, target, details from audit_log where tenant_id = $1 order by created_at", [tenantId]);

/** No answer and no log line carries the school's private key or a DocuSign access token. */
function expectNoSecret(services: TestServices, privateKey: string, ...answers: Answer[]) {
  const everything = services.logs.lines.join("\n") + answers.map((a) => a.text).join("\n");
  expect(everything).not.toContain(privateKey.split("\n")[2]);
  expect(everything).not.toMatch(/eyJ0eXAiOiJNVCIs/);
  expect(everything).not.toMatch(/at .+\.ts:\d+/);
}

describe.each(ADAPTERS)("docusign-admin on %s", (adapter) => {
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
    const templates = (query = "", as: string | null = token) => call(services, "GET", `/api/admin/integrations/docusign/templates${query}`, { token: as });
    const contract = (id: string, body?: unknown, as: string | null = token) =>
      call(services, "POST", `/api/admin/enrollments/${id}/contract`, { token: as, params: { id }, ...(body !== undefined ? { body } : {}) });
    return { services, ...school, token, templates, contract };
  }

  describe("GET /api/admin/integrations/docusign/templates", () => {
    it("lists the account's templates with their roles, and which one is configured", async () => {
      const { templates } = await setup();

      const res = await templates();

      expect(res.status).toBe(200);
      expect(res.json).toEqual({
        templates: [
          {
            templateId: CONTRACT!.templateId, name: "Enrollment Contract 2026", description: "Annual enrollment agreement", lastModified: "2025-04-01T09:30:00.0000000Z",
            roles: [
              { roleName: "signer", type: "signer", recipientId: "1", routingOrder: "1" },
              { roleName: "registrar", type: "carbonCopy", recipientId: "2", routingOrder: "2" },
            ],
          },
          { templateId: PHOTO!.templateId, name: "Photo Consent", description: null, lastModified: "2025-04-01T09:30:00.0000000Z", roles: [{ roleName: "Parent", type: "signer", recipientId: "1", routingOrder: "1" }] },
        ],
        total: 2,
        nextStartPosition: null,
        configuredTemplateId: CONTRACT!.templateId,
        signerRoleName: "signer",
      });
      const [listCall] = docusign.callsTo("/templates");
      expect(listCall!.path).toBe(`/restapi/v2.1/accounts/${ACCOUNT_ID}/templates`);
      expect(Object.fromEntries(listCall!.search)).toEqual({ include: "recipients", count: "100", start_position: "0", order_by: "name" });
      expect(listCall!.headers.get("authorization")).toMatch(/^Bearer /);
    });

    it("pages with count and startPosition", async () => {
      const { templates } = await setup();
      const first = await templates("?count=1");
      const second = await templates("?count=1&startPosition=1");

      expect(first.json.templates.map((t: { name: string }) => t.name)).toEqual(["Enrollment Contract 2026"]);
      expect([first.json.total, first.json.nextStartPosition]).toEqual([2, 1]);
      expect(second.json.templates.map((t: { name: string }) => t.name)).toEqual(["Photo Consent"]);
      expect(second.json.nextStartPosition).toBeNull();
    });

    it("answers 400 to an invalid query, before calling DocuSign", async () => {
      const { templates } = await setup();
      for (const query of ["?count=0", "?count=101", "?count=ten", "?startPosition=-1", "?page=2"]) {
        expect((await templates(query)).status, query).toBe(400);
      }
      expect(docusign.calls).toHaveLength(0);
    });

    it("works before the integration is enabled (choosing the template while setting up)", async () => {
      const { templates } = await setup({ enabled: false });
      expect((await templates()).status).toBe(200);
    });

    it("answers 409 when the school has not configured DocuSign", async () => {
      const services = await testServices(db);
      const { createTenant } = await import("../../tests/support/tenants.ts");
      const tenantId = await createTenant(db);
      const res = await call(services, "GET", "/api/admin/integrations/docusign/templates", { token: await adminToken(tenantId) });
      expect([res.status, res.json.code]).toEqual([409, "ERR_DOCUSIGN_NOT_CONFIGURED"]);
    });

    it("answers 502 with the consent URL when the DocuSign user has not consented", async () => {
      const { templates, credentials } = await setup({ consented: false });
      const res = await templates();

      expect(res.status).toBe(502);
      expect(res.json).toMatchObject({ title: "DocuSign consent required", code: "docusign_oauth_error: consent_required" });
      expect(res.json.consentUrl).toBe(
        `${DEMO_OAUTH}/oauth/auth?response_type=code&scope=signature+impersonation&client_id=${credentials.integrationKey}&redirect_uri=${encodeURIComponent(`${APP_URL}/admin/config/integrations`)}`,
      );
    });

    it("answers 502 naming DocuSign's errorCode when DocuSign fails", async () => {
      const { services, templates, credentials } = await setup();
      docusign.fail("get", "/templates", 500, { errorCode: "UNSPECIFIED_ERROR", message: "Non-static method requires a target." });
      const res = await templates();

      expect([res.status, res.json.code, res.json.detail]).toEqual([502, "docusign_api_error: UNSPECIFIED_ERROR", "Non-static method requires a target."]);
      expectNoSecret(services, credentials.rsaPrivateKey, res);
    });

    it("answers 401 without a token, 403 to a non-admin, 405 to another method", async () => {
      const { services, templates, tenantId } = await setup();
      expect((await templates("", null)).status).toBe(401);
      expect((await templates("", await signToken({ tenantId }))).status).toBe(403);
      expect((await call(services, "DELETE", "/api/admin/integrations/docusign/templates", { token: await adminToken(tenantId) })).status).toBe(405);
      expect(docusign.calls).toHaveLength(0);
    });
  });

  describe("POST /api/admin/enrollments/{id}/contract", () => {
    it("sends the configured template to the enrollment's signer and records the envelope (201)", async () => {
      const { services, tenantId, credentials, contract } = await setup();
      const enrollmentId = await enrollmentWithSigner(db, tenantId);

      const res = await contract(enrollmentId);

      expect(res.status).toBe(201);
      const [envelope] = docusign.envelopes;
      expect(res.json).toEqual({
        enrollmentId, envelopeId: envelope!.envelopeId, signatureStatus: "sent", signatureSentAt: expect.any(String), embeddedSigning: false, recovered: false,
      });
      expect(envelope!.accountId).toBe(ACCOUNT_ID);
      // Shapes: docusign/code-examples-node lib/eSignature/examples/setTemplateTabValues.js (tabs.textTabs,
      // customFields.textCustomFields with show/required as strings; esignature.rest.swagger-v2.1.json).
      expect(envelope!.body).toEqual({
        templateId: CONTRACT!.templateId,
        templateRoles: [{
          email: "grace.parent@example.com", name: "Grace Parent", roleName: "signer",
          tabs: { textTabs: [{ tabLabel: "studentName", value: "Ada Student" }, { tabLabel: "guardianName", value: "Grace Parent" }] },
        }],
        customFields: { textCustomFields: [
          { name: "tenantId", value: tenantId, show: "false", required: "false" },
          { name: "enrollmentId", value: enrollmentId, show: "false", required: "false" },
        ] },
        status: "sent",
      });
      const enrollment = await enrollmentOf(db, enrollmentId);
      expect(enrollment).toMatchObject({ signature_status: "sent", signature_envelope_id: envelope!.envelopeId, signature_completed_at: null });
      expect(enrollment.signature_sent_at!.toISOString()).toBe(res.json.signatureSentAt);
      expect(Math.abs(enrollment.signature_sent_at!.getTime() - Date.now())).toBeLessThan(60_000);
      expect(await auditOf(db, tenantId)).toEqual([expect.objectContaining({
        action: "enrollment.contract_sent", target: enrollmentId,
        details: { envelopeId: envelope!.envelopeId, templateId: CONTRACT!.templateId, previousEnvelopeId: null },
      })]);
      expectNoSecret(services, credentials.rsaPrivateKey, res);
    });

    it("is then moved forward by DocuSign Connect: envelope-completed on the webhook completes the enrollment", async () => {
      const { services, tenantId, credentials, contract } = await setup();
      const enrollmentId = await enrollmentWithSigner(db, tenantId);
      const { envelopeId } = (await contract(enrollmentId)).json;

      const body = JSON.stringify(connectEvent("envelope-completed", { envelopeId, generatedDateTime: "2026-09-01T12:00:00.0000000Z" }));
      const delivered = await docusignWebhook(signedConnectRequest(tenantId, body, { keys: credentials.hmacKeys }), contextFor(services, { tenantId }));

      expect(delivered.status).toBe(200);
      expect(await enrollmentOf(db, enrollmentId)).toMatchObject({ signature_status: "completed", signature_completed_at: new Date("2026-09-01T12:00:00Z") });
    });

    it("uses another template when the body names one, and the configured signer role", async () => {
      const { tenantId, contract } = await setup({ settings: { environment: "demo", templateId: CONTRACT!.templateId, signerRoleName: "Parent" } });
      const enrollmentId = await enrollmentWithSigner(db, tenantId);

      const res = await contract(enrollmentId, { templateId: PHOTO!.templateId });

      expect(res.status).toBe(201);
      expect(docusign.envelopes[0]!.body).toMatchObject({ templateId: PHOTO!.templateId, templateRoles: [expect.objectContaining({ roleName: "Parent" })] });
    });

    it("renews an expired token once and sends the contract", async () => {
      const { tenantId, contract } = await setup();
      expect((await contract(await enrollmentWithSigner(db, tenantId))).status).toBe(201);
      docusign.expireTokens();

      const res = await contract(await enrollmentWithSigner(db, tenantId));

      expect(res.status).toBe(201);
      expect(docusign.callsTo("/oauth/token")).toHaveLength(2);
      expect(docusign.callsTo("/envelopes").map((c) => c.headers.get("authorization"))).toHaveLength(3);
      expect(docusign.envelopes).toHaveLength(2);
    });

    it("refuses a second send while the contract is out or signed (409), without calling DocuSign", async () => {
      const { tenantId, contract } = await setup();
      for (const status of ["sent", "delivered", "completed"]) {
        const enrollmentId = await enrollmentWithSigner(db, tenantId, { status });
        const res = await contract(enrollmentId);
        expect([res.status, res.json.code]).toEqual([409, "ERR_CONTRACT_ALREADY_SENT"]);
      }
      expect(docusign.calls).toHaveLength(0);
    });

    it("sends one envelope for a double click: the `sending` mark lets one through, the other gets 409", async () => {
      const { tenantId, contract } = await setup();
      const enrollmentId = await enrollmentWithSigner(db, tenantId);
      await contract(await enrollmentWithSigner(db, tenantId)); // token and account cached, as in a warm instance
      docusign.reset();

      const answers = await Promise.all([contract(enrollmentId), contract(enrollmentId)]);

      expect(answers.map((a) => a.status).sort()).toEqual([201, 409]);
      expect(docusign.envelopes).toHaveLength(1);
      expect((await enrollmentOf(db, enrollmentId)).signature_envelope_id).toBe(docusign.envelopes[0]!.envelopeId);
    });

    it("sends a new contract after a declined or voided one, linking the new envelope", async () => {
      const { tenantId, contract } = await setup();
      const enrollmentId = await enrollmentWithSigner(db, tenantId, { status: "declined" });
      await db.query("update enrollments set signature_envelope_id = 'old-envelope' where id = $1", [enrollmentId]);

      const res = await contract(enrollmentId);

      expect(res.status).toBe(201);
      expect(await enrollmentOf(db, enrollmentId)).toMatchObject({ signature_status: "sent", signature_envelope_id: res.json.envelopeId });
      expect((await auditOf(db, tenantId))[0]!.details.previousEnvelopeId).toBe("old-envelope");
    });

    it("answers 404 to another tenant's enrollment, an unknown id and a non-uuid id, without calling DocuSign", async () => {
      const { contract } = await setup();
      const other = await setup();
      const theirs = await enrollmentWithSigner(db, other.tenantId);

      for (const id of [theirs, crypto.randomUUID(), "not-a-uuid"]) {
        const res = await contract(id);
        expect([res.status, res.json.code]).toEqual([404, "ERR_ENROLLMENT_NOT_FOUND"]);
      }
      expect(docusign.calls).toHaveLength(0);
      expect((await enrollmentOf(db, theirs)).signature_status).toBe("none");
    });

    it("answers 409 naming what the enrollment lacks (signer email, signer name)", async () => {
      const { tenantId, contract } = await setup();
      const noEmail = await contract(await enrollmentWithSigner(db, tenantId, { email: null }));
      const noSigner = await contract(await createEnrollment(db, tenantId));

      expect([noEmail.status, noEmail.json.code, noEmail.json.detail]).toEqual([409, "ERR_ENROLLMENT_NO_SIGNER", "set the enrollment's signer_email before sending its contract"]);
      expect(noSigner.json.detail).toBe("set the enrollment's signer_email and signer_name before sending its contract");
      expect(docusign.calls).toHaveLength(0);
    });

    it("answers 409 when DocuSign is disabled, or no template is configured", async () => {
      const disabled = await setup({ enabled: false });
      const noTemplate = await setup({ settings: { environment: "demo" } });

      const a = await disabled.contract(await enrollmentWithSigner(db, disabled.tenantId));
      const b = await noTemplate.contract(await enrollmentWithSigner(db, noTemplate.tenantId));

      expect([a.status, a.json.code]).toEqual([409, "ERR_DOCUSIGN_NOT_ENABLED"]);
      expect([b.status, b.json.code]).toEqual([409, "ERR_DOCUSIGN_NO_TEMPLATE"]);
      expect(docusign.calls).toHaveLength(0);
    });

    it("answers 400 to an invalid body", async () => {
      const { tenantId, contract } = await setup();
      const enrollmentId = await enrollmentWithSigner(db, tenantId);
      expect((await contract(enrollmentId, { templateId: "" })).status).toBe(400);
      expect((await contract(enrollmentId, { signer: "x" })).json.errors).toEqual({ signer: ["unknown field"] });
      expect((await contract(enrollmentId, "{not json")).status).toBe(400);
    });

    it("records nothing when DocuSign refuses the envelope (502 naming its errorCode)", async () => {
      const { tenantId, contract } = await setup({ settings: { environment: "demo", templateId: "deleted-template" } });
      const enrollmentId = await enrollmentWithSigner(db, tenantId);

      const res = await contract(enrollmentId);

      expect([res.status, res.json.code, res.json.detail]).toEqual([502, "docusign_api_error: TEMPLATE_ID_INVALID", "Invalid template ID."]);
      expect(await enrollmentOf(db, enrollmentId)).toMatchObject({ signature_status: "none", signature_envelope_id: null });
      expect(await auditOf(db, tenantId)).toEqual([]);
    });

    it("answers 502 with the consent URL, recording nothing, when consent is missing", async () => {
      const { tenantId, contract } = await setup({ consented: false });
      const enrollmentId = await enrollmentWithSigner(db, tenantId);
      const res = await contract(enrollmentId);

      expect([res.status, res.json.code]).toEqual([502, "docusign_oauth_error: consent_required"]);
      expect(res.json.consentUrl).toMatch(/^https:\/\/account-d\.docusign\.com\/oauth\/auth\?/);
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("none");
    });

    it("answers 502 when DocuSign cannot be reached, and 503 with Retry-After when it rate-limits", async () => {
      const { tenantId, contract } = await setup();
      docusign.disconnect("post", "/envelopes");
      const unreachable = await contract(await enrollmentWithSigner(db, tenantId));
      docusign.reset();
      docusign.fail("post", "/envelopes", 429, { errorCode: "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", message: "The maximum number of hourly API invocations has been exceeded." }, { "retry-after": "30" });
      const limited = await contract(await enrollmentWithSigner(db, tenantId));

      // The outcome is unknown (did DocuSign create it?): left `sending` for the safe retry (contract-retry.test.ts).
      expect([unreachable.status, unreachable.json.code]).toEqual([502, "ERR_CONTRACT_OUTCOME_UNKNOWN"]);
      expect([limited.status, limited.headers.get("retry-after"), limited.json.code]).toEqual([503, "30", "docusign_api_error: HOURLY_APIINVOCATION_LIMIT_EXCEEDED"]);
    });

    it("answers 401 without a token and 403 to a non-admin of the tenant", async () => {
      const { tenantId, contract } = await setup();
      const enrollmentId = await enrollmentWithSigner(db, tenantId);
      expect((await contract(enrollmentId, undefined, null)).status).toBe(401);
      expect((await contract(enrollmentId, undefined, await signToken({ tenantId }))).status).toBe(403);
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("none");
    });
  });
});
