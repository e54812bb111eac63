// An admin's contract after sending: the combined PDF streamed through (EnvelopeDocuments:get `combined`,
// developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopedocuments/get/), void and resend
// (Envelopes:update, …/reference/envelopes/envelopes/update/). DocuSign is the msw fake of
// tests/support/docusign-api.ts; the database is real (both adapters).
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { ACCOUNT_ID, createDocuSignApi, DEMO_BASE_URI, FAKE_PDF } from "../../tests/support/docusign-api.ts";
import { createDocuSignSchool, rsaKeyPair } from "../../tests/support/docusign.ts";
import { APP_URL, callFunction, enrollmentWithSigner, signatureOf } from "../../tests/support/docusign-contracts.ts";
import { contextFor, testServices } from "../../tests/support/services.ts";
import { adminToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

const docusign = createDocuSignApi();
beforeAll(() => docusign.listen());
afterEach(() => docusign.reset());
afterAll(() => docusign.close());
const pair = rsaKeyPair();

describe.each(ADAPTERS)("contract document, void and resend on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup() {
    const services = await testServices(db);
    const school = await createDocuSignSchool(services, docusign, pair);
    const token = await adminToken(school.tenantId);
    const action = (id: string, method: string, suffix: string, body?: unknown, as = token) =>
      callFunction(handler, services, method, `/api/admin/enrollments/${id}/contract${suffix}`, { token: as, params: { id }, ...(body !== undefined ? { body } : {}) });
    /** An enrollment whose contract went out through the real route (so the fake DocuSign has its envelope). */
    const sent = async () => {
      const id = await enrollmentWithSigner(db, school.tenantId);
      const res = await action(id, "POST", "");
      expect(res.status).toBe(201);
      docusign.calls.length = 0;
      return { id, envelopeId: res.json.envelopeId as string };
    };
    return { services, ...school, token, action, sent };
  }

  describe("GET …/contract/document", () => {
    it("streams DocuSign's combined PDF through as application/pdf", async () => {
      const { action, sent } = await setup();
      const { id, envelopeId } = await sent();

      const res = await action(id, "GET", "/document");

      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/pdf");
      expect(res.headers.get("content-disposition")).toBe(`attachment; filename="contract-${id}.pdf"`);
      expect(res.headers.get("cache-control")).toBe("private, no-store");
      expect(Buffer.from(res.bytes).equals(Buffer.from(FAKE_PDF))).toBe(true);
      const [download] = docusign.callsTo("/documents/combined");
      expect([download!.method, download!.path]).toEqual(["GET", `/restapi/v2.1/accounts/${ACCOUNT_ID}/envelopes/${envelopeId}/documents/combined`]);
      expect(download!.headers.get("authorization")).toMatch(/^Bearer /);
      expect(download!.headers.get("accept")).toBe("application/pdf");
    });

    it("passes each chunk on as it arrives: the first bytes reach the caller before DocuSign has sent the rest", async () => {
      const { services, token, sent } = await setup();
      const { id } = await sent();
      let release!: () => void;
      const rest = new Promise<void>((resolve) => { release = resolve; });
      docusign.server.use(http.get(`${DEMO_BASE_URI}/restapi/v2.1/accounts/:accountId/envelopes/:envelopeId/documents/combined`, () => {
        let step = 0;
        return new HttpResponse(new ReadableStream<Uint8Array>({
          async pull(controller) {
            step++;
            if (step === 1) controller.enqueue(FAKE_PDF.subarray(0, 8));
            else if (step === 2) { await rest; controller.enqueue(FAKE_PDF.subarray(8)); } else controller.close();
          },
        }), { headers: { "content-type": "application/pdf" } });
      }));

      const res = await handler(new Request(`${APP_URL}/api/admin/enrollments/${id}/contract/document`, { headers: { authorization: `Bearer ${token}` } }), contextFor(services, { id }));
      const reader = res.body!.getReader();
      const first = await reader.read();
      expect(new TextDecoder().decode(first.value)).toBe("%PDF-1.4");
      release();
      let restBytes = 0;
      for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) restBytes += chunk.value.byteLength;
      expect(restBytes).toBe(FAKE_PDF.byteLength - 8);
    });

    it("answers 409 before any DocuSign call when no envelope is recorded, 404 for another school's enrollment", async () => {
      const { tenantId, action } = await setup();
      const other = await setup();
      const none = await action(await enrollmentWithSigner(db, tenantId), "GET", "/document");
      const sending = await action(await enrollmentWithSigner(db, tenantId, { status: "sending" }), "GET", "/document");
      const theirs = await action((await other.sent()).id, "GET", "/document");

      expect([none.status, none.json.code]).toEqual([409, "ERR_CONTRACT_NOT_SENT"]);
      expect([sending.status, sending.json.code]).toEqual([409, "ERR_CONTRACT_NOT_SENT"]);
      expect([theirs.status, theirs.json.code]).toEqual([404, "ERR_ENROLLMENT_NOT_FOUND"]);
      // A path segment that is no enrollment id at all is the same 404 (not a database cast error), for every action.
      for (const [method, suffix, body] of [["GET", "/document", undefined], ["POST", "/void", { reason: "sent in error" }], ["POST", "/resend", undefined]] as const) {
        const junk = await action("junk", method, suffix, body);
        expect([junk.status, junk.json.code]).toEqual([404, "ERR_ENROLLMENT_NOT_FOUND"]);
      }
      expect(docusign.calls).toEqual([]);
    });

    it("answers 502 naming DocuSign's error when the envelope is gone, and when DocuSign is down", async () => {
      const { tenantId, action, sent } = await setup();
      const { id } = await sent();
      const gone = await enrollmentWithSigner(db, tenantId, { status: "completed" });
      await db.query("update enrollments set signature_envelope_id = $2 where id = $1", [gone, crypto.randomUUID()]);

      const missing = await action(gone, "GET", "/document");
      docusign.disconnect("get", "/envelopes/:envelopeId/documents/combined");
      const down = await action(id, "GET", "/document");

      expect([missing.status, missing.json.code]).toEqual([502, "docusign_api_error: ENVELOPE_DOES_NOT_EXIST"]);
      expect([down.status, down.json.code]).toEqual([502, "docusign_connection_error"]);
    });
  });

  describe("POST …/contract/void", () => {
    it("voids the envelope with the reason (PUT status voided + voidedReason), records voided and audits it", async () => {
      const { tenantId, action, sent } = await setup();
      const { id, envelopeId } = await sent();

      const res = await action(id, "POST", "/void", { reason: "Wrong tuition amount" });

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ enrollmentId: id, envelopeId, signatureStatus: "voided" });
      const [put] = docusign.callsTo(`/envelopes/${envelopeId}`, "PUT");
      expect(put!.path).toBe(`/restapi/v2.1/accounts/${ACCOUNT_ID}/envelopes/${envelopeId}`);
      expect(JSON.parse(put!.text)).toEqual({ status: "voided", voidedReason: "Wrong tuition amount" });
      expect(put!.headers.get("authorization")).toMatch(/^Bearer /);
      expect(docusign.envelopes[0]).toMatchObject({ status: "voided", voidedReason: "Wrong tuition amount" });
      expect((await signatureOf(db, id)).signature_status).toBe("voided");
      const [audit] = await db.query<{ action: string; details: Record<string, unknown> }>(
        "select action, details from audit_log where tenant_id = $1 and action = 'enrollment.contract_voided'", [tenantId]);
      expect(audit!.details).toEqual({ envelopeId, reason: "Wrong tuition amount" });
      // A new contract can go out now.
      expect((await action(id, "POST", "")).status).toBe(201);
    });

    it("answers 400 without a reason, 409 unless the contract is out for signature, 404 for another school's: no DocuSign call", async () => {
      const { tenantId, action, sent } = await setup();
      const other = await setup();
      const { id } = await sent();
      const theirs = (await other.sent()).id;
      docusign.calls.length = 0;

      expect((await action(id, "POST", "/void", {})).json.errors).toEqual({ reason: [expect.any(String)] });
      expect((await action(id, "POST", "/void", { reason: "  " })).status).toBe(400);
      expect((await action(id, "POST", "/void", { reason: "x".repeat(201) })).status).toBe(400);
      const completed = await action(await enrollmentWithSigner(db, tenantId, { status: "completed" }), "POST", "/void", { reason: "late" });
      expect([completed.status, completed.json.code]).toEqual([409, "ERR_CONTRACT_NOT_OUT"]);
      expect((await action(theirs, "POST", "/void", { reason: "not yours" })).status).toBe(404);
      expect(docusign.calls).toEqual([]);
      expect((await signatureOf(db, theirs)).signature_status).toBe("sent");
    });

    it("records nothing when DocuSign is down (502)", async () => {
      const { action, sent } = await setup();
      const { id } = await sent();
      docusign.disconnect("put", "/envelopes/:envelopeId");

      const res = await action(id, "POST", "/void", { reason: "Wrong tuition amount" });

      expect([res.status, res.json.code]).toEqual([502, "docusign_connection_error"]);
      expect((await signatureOf(db, id)).signature_status).toBe("sent");
    });
  });

  describe("POST …/contract/resend", () => {
    it("asks DocuSign to email the envelope again (PUT ?resend_envelope=true)", async () => {
      const { action, sent } = await setup();
      const { id, envelopeId } = await sent();

      const res = await action(id, "POST", "/resend");

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ enrollmentId: id, envelopeId, signatureStatus: "sent", resent: true });
      const [put] = docusign.callsTo(`/envelopes/${envelopeId}`, "PUT");
      expect(put!.search.get("resend_envelope")).toBe("true");
      expect(JSON.parse(put!.text)).toEqual({});
      expect(docusign.envelopes[0]!.resent).toBe(1);
    });

    it("answers 409 unless out for signature, 404 for another school's, 405 to GET", async () => {
      const { tenantId, action } = await setup();
      const other = await setup();
      const none = await action(await enrollmentWithSigner(db, tenantId), "POST", "/resend");
      const theirs = await action((await other.sent()).id, "POST", "/resend");
      const get = await action(await enrollmentWithSigner(db, tenantId), "GET", "/resend");

      expect([none.status, none.json.code]).toEqual([409, "ERR_CONTRACT_NOT_OUT"]);
      expect(theirs.status).toBe(404);
      expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
      expect(docusign.calls.filter((c) => c.method === "PUT")).toEqual([]);
    });
  });
});
