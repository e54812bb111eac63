// POST /api/enrollments/{id}/contract/signing-url: embedded signing for a member of the enrollment
// (EnvelopeViews:createRecipient, developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopeviews/createrecipient/;
// docusign/code-examples-node lib/eSignature/examples/embeddedSigning.js). Non-members get 404 from the
// shared enrollment guard with no DocuSign call. DocuSign is the msw fake of tests/support/docusign-api.ts;
// the database is real (both adapters).
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { ACCOUNT_ID, createDocuSignApi, DEMO_BASE_URI } from "../../tests/support/docusign-api.ts";
import { createDocuSignSchool, rsaKeyPair } from "../../tests/support/docusign.ts";
import { APP_URL, callFunction, enrollmentWithSigner } from "../../tests/support/docusign-contracts.ts";
import { memberToken } from "../../tests/support/families.ts";
import { docusignAdmin } from "../../tests/support/function-handlers.ts";
import { testServices } from "../../tests/support/services.ts";
import { createEnrollment } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

const docusign = createDocuSignApi();
beforeAll(() => docusign.listen());
afterEach(() => docusign.reset());
afterAll(() => docusign.close());
const pair = rsaKeyPair();

describe.each(ADAPTERS)("docusign-signing-url on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup(settings: Record<string, unknown> = { embeddedSigning: true }) {
    const services = await testServices(db);
    const school = await createDocuSignSchool(services, docusign, pair, { settings: { environment: "demo", templateId: "4b9e2f10-8c3a-4d21-9e7f-0a1b2c3d4e5f", ...settings } });
    const admin = await adminToken(school.tenantId);
    /** An enrollment whose contract the admin sent through the real route. */
    const sentContract = async () => {
      const id = await enrollmentWithSigner(db, school.tenantId);
      const res = await callFunction(docusignAdmin, services, "POST", `/api/admin/enrollments/${id}/contract`, { token: admin, params: { id } });
      expect(res.status).toBe(201);
      docusign.calls.length = 0;
      return { id, envelopeId: res.json.envelopeId as string };
    };
    const signingUrl = (id: string, token: string | null, body?: unknown) =>
      callFunction(handler, services, "POST", `/api/enrollments/${id}/contract/signing-url`, { token, params: { id }, ...(body !== undefined ? { body } : {}) });
    return { services, ...school, admin, sentContract, signingUrl };
  }

  it("gives the enrollment's guardian DocuSign's signing URL for the embedded signer, returning to the portal", async () => {
    const { tenantId, sentContract, signingUrl } = await setup();
    const { id, envelopeId } = await sentContract();
    const guardian = await memberToken(db, tenantId, id, "guardian");

    const res = await signingUrl(id, guardian);

    expect(res.status).toBe(200);
    expect(res.json).toEqual({ url: expect.stringMatching(new RegExp(`^${DEMO_BASE_URI}/Signing/MTRedeem/v1/`)) });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const [view] = docusign.callsTo("/views/recipient", "POST");
    expect(view!.path).toBe(`/restapi/v2.1/accounts/${ACCOUNT_ID}/envelopes/${envelopeId}/views/recipient`);
    expect(view!.headers.get("authorization")).toMatch(/^Bearer /);
    expect(JSON.parse(view!.text)).toEqual({
      returnUrl: `${APP_URL}/pay/${id}`, authenticationMethod: "none", email: "grace.parent@example.com", userName: "Grace Parent", clientUserId: id,
    });
  });

  it("uses a returnUrl under APP_URL, and refuses any other with 400 before calling DocuSign", async () => {
    const { tenantId, sentContract, signingUrl } = await setup();
    const { id } = await sentContract();
    const guardian = await memberToken(db, tenantId, id, "guardian");

    const own = await signingUrl(id, guardian, { returnUrl: `${APP_URL}/pay/${id}?signed=1` });
    expect(own.status).toBe(200);
    expect(JSON.parse(docusign.callsTo("/views/recipient")[0]!.text).returnUrl).toBe(`${APP_URL}/pay/${id}?signed=1`);
    docusign.calls.length = 0;

    for (const returnUrl of ["https://evil.example/pay", "https://ips.example.test.evil.example/", "http://ips.example.test/pay", "javascript:alert(1)", "/pay/x", "https://user@ips.example.test/"]) {
      const res = await signingUrl(id, guardian, { returnUrl });
      expect([res.status, res.json.errors], returnUrl).toEqual([400, { returnUrl: ["must be a URL under this app's address (APP_URL)"] }]);
    }
    expect((await signingUrl(id, guardian, { returnUrl: 42 })).status).toBe(400);
    expect((await signingUrl(id, guardian, { other: 1 })).status).toBe(400);
    expect(docusign.calls).toEqual([]);
  });

  it("answers 404 to another family, a role without membership and another school, with no DocuSign call; 401 without a token", async () => {
    const { tenantId, sentContract, signingUrl } = await setup();
    const other = await setup();
    const { id } = await sentContract();
    const otherFamily = await createEnrollment(db, tenantId, "Bo Family-B");

    for (const token of [
      await memberToken(db, tenantId, otherFamily, "guardian"),
      await signToken({ tenantId, role: "teacher" }),
      await adminToken(other.tenantId),
      await memberToken(db, other.tenantId, await createEnrollment(db, other.tenantId)),
    ]) {
      const res = await signingUrl(id, token);
      expect([res.status, res.json.code]).toEqual([404, "ERR_ENROLLMENT_NOT_FOUND"]);
      expect(res.text).not.toContain("Grace");
    }
    expect((await signingUrl(id, null)).status).toBe(401);
    expect(docusign.calls).toEqual([]);
  });

  it("answers 409 when no contract is out, or when it was sent by email (no clientUserId), without calling DocuSign", async () => {
    const byEmail = await setup({});
    const { id: emailed } = await byEmail.sentContract();
    const notSent = await enrollmentWithSigner(db, byEmail.tenantId);

    const a = await byEmail.signingUrl(emailed, await memberToken(db, byEmail.tenantId, emailed));
    const b = await byEmail.signingUrl(notSent, await memberToken(db, byEmail.tenantId, notSent));

    expect([a.status, a.json.code]).toEqual([409, "ERR_CONTRACT_NOT_EMBEDDED"]);
    expect([b.status, b.json.code]).toEqual([409, "ERR_CONTRACT_NOT_OUT"]);
    expect(docusign.calls).toEqual([]);
  });

  it("answers 502 when DocuSign is down or refuses the view, and logs no signing URL", async () => {
    const { services, tenantId, sentContract, signingUrl } = await setup();
    const { id } = await sentContract();
    const guardian = await memberToken(db, tenantId, id);

    const ok = await signingUrl(id, guardian);
    docusign.disconnect("post", "/envelopes/:envelopeId/views/recipient");
    const down = await signingUrl(id, guardian);
    docusign.reset();
    docusign.fail("post", "/envelopes/:envelopeId/views/recipient", 400, { errorCode: "ENVELOPE_INVALID_STATUS", message: "Invalid envelope status." });
    const refused = await signingUrl(id, guardian);

    expect([down.status, down.json.code]).toEqual([502, "docusign_connection_error"]);
    expect([refused.status, refused.json.code]).toEqual([502, "docusign_api_error: ENVELOPE_INVALID_STATUS"]);
    expect(ok.status).toBe(200);
    expect(services.logs.lines.join("\n")).not.toContain(ok.json.url);
  });
});
