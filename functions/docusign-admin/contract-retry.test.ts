// Sending a contract is safe to retry (DESIGN.md "Contracts (DocuSign)"): marked `sending` before the POST,
// no row lock across the call, and after an unknown outcome a retry looks the envelope up by its
// `enrollmentId` custom field (Envelopes:listStatusChanges,
// developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopes/liststatuschanges/) instead of
// sending a second one; Connect links such an envelope through the same field. DocuSign is the msw fake of
// tests/support/docusign-api.ts; the database is real (both adapters).
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { ACCOUNT_ID, createDocuSignApi, DEMO_BASE_URI, defaultTemplates } from "../../tests/support/docusign-api.ts";
import { connectEvent, createDocuSignSchool, rsaKeyPair, signedConnectRequest } from "../../tests/support/docusign.ts";
import { callFunction, enrollmentWithSigner, signatureOf } from "../../tests/support/docusign-contracts.ts";
import { docusignWebhook } from "../../tests/support/function-handlers.ts";
import { contextFor, testServices } from "../../tests/support/services.ts";
import { adminToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";

const [CONTRACT] = defaultTemplates();
const docusign = createDocuSignApi();
beforeAll(() => docusign.listen());
afterEach(() => docusign.reset());
afterAll(() => docusign.close());
const pair = rsaKeyPair();
const MINUTE = 60_000;

describe.each(ADAPTERS)("contract sending, safe to retry, on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup(settings: Record<string, unknown> = {}) {
    let clock = Date.now();
    const services = await testServices(db, { now: () => clock });
    const school = await createDocuSignSchool(services, docusign, pair, { settings: { environment: "demo", templateId: CONTRACT!.templateId, ...settings } });
    const token = await adminToken(school.tenantId);
    const contract = (id: string) => callFunction(handler, services, "POST", `/api/admin/enrollments/${id}/contract`, { token, params: { id } });
    /** A Connect event for `envelopeId` carrying our custom fields, as Connect sends it with "Include custom fields" on. */
    const connect = (event: string, envelopeId: string, fields: Record<string, string>) => {
      const body = JSON.stringify(connectEvent(event, {
        envelopeId, generatedDateTime: "2026-12-02T10:00:00.0000000Z",
        envelopeSummary: { status: event.replace("envelope-", ""), customFields: { textCustomFields: Object.entries(fields).map(([name, value]) => ({ fieldId: "1", name, show: "false", required: "false", value })) } },
      }));
      return docusignWebhook(signedConnectRequest(school.tenantId, body, { keys: school.credentials.hmacKeys }), contextFor(services, { tenantId: school.tenantId }));
    };
    return { services, ...school, contract, connect, advance: (ms: number) => { clock += ms; } };
  }

  it("prefills the tabs (tuition in the currency's format) and holds no row lock while the envelope POST runs: the row is `sending`", async () => {
    const { tenantId, contract } = await setup();
    const enrollmentId = await enrollmentWithSigner(db, tenantId, { tuition: { amount: 1_250_000, currency: "usd" } });
    let during: Awaited<ReturnType<typeof signatureOf>> | undefined;
    docusign.server.use(http.post(`${DEMO_BASE_URI}/restapi/v2.1/accounts/:accountId/envelopes`, async ({ request }) => {
      // Another connection updates the row during the call: with a lock held across it this would wait (and time out).
      await Promise.race([
        db.query("update enrollments set updated_at = now() where id = $1", [enrollmentId]),
        new Promise((_, reject) => setTimeout(() => reject(new Error("row locked during the DocuSign call")), 5_000)),
      ]);
      during = await signatureOf(db, enrollmentId);
      const body = await request.json() as Record<string, any>;
      expect(body.templateRoles[0].tabs.textTabs).toEqual([
        { tabLabel: "studentName", value: "Ada Student" }, { tabLabel: "guardianName", value: "Grace Parent" }, { tabLabel: "tuitionAmount", value: "$12,500.00" },
      ]);
      return HttpResponse.json({ envelopeId: "5f0c3f5e-1111-4222-8333-444455556666", uri: "/envelopes/5f0c3f5e-1111-4222-8333-444455556666", statusDateTime: "2026-12-02T10:00:00.0000000Z", status: "sent" }, { status: 201 });
    }));

    const res = await contract(enrollmentId);

    expect(res.status).toBe(201);
    expect(during).toMatchObject({ signature_status: "sending", signature_envelope_id: null });
    expect(await signatureOf(db, enrollmentId)).toMatchObject({ signature_status: "sent", signature_envelope_id: "5f0c3f5e-1111-4222-8333-444455556666", signature_sending_at: null });
  });

  it("after a timeout whose envelope DocuSign did create, the retry finds it by custom field and records it: one envelope", async () => {
    const { tenantId, contract, advance } = await setup();
    const enrollmentId = await enrollmentWithSigner(db, tenantId);
    docusign.loseCreateAnswers();

    const first = await contract(enrollmentId);
    expect([first.status, first.json.code]).toEqual([502, "ERR_CONTRACT_OUTCOME_UNKNOWN"]);
    expect(await signatureOf(db, enrollmentId)).toMatchObject({ signature_status: "sending", signature_envelope_id: null });
    expect(docusign.envelopes).toHaveLength(1);

    // Too soon: that send could still be running.
    const tooSoon = await contract(enrollmentId);
    expect([tooSoon.status, tooSoon.json.code]).toEqual([409, "ERR_CONTRACT_SENDING"]);
    expect(Number(tooSoon.headers.get("retry-after"))).toBeGreaterThan(0);

    docusign.loseCreateAnswers(false);
    advance(3 * MINUTE);
    const retry = await contract(enrollmentId);

    expect(retry.status).toBe(200);
    expect(retry.json).toMatchObject({ envelopeId: docusign.envelopes[0]!.envelopeId, signatureStatus: "sent", recovered: true });
    expect(docusign.envelopes).toHaveLength(1);
    expect(docusign.callsTo("/envelopes", "POST")).toHaveLength(1);
    const [lookup] = docusign.callsTo("/envelopes", "GET");
    expect(lookup!.path).toBe(`/restapi/v2.1/accounts/${ACCOUNT_ID}/envelopes`);
    expect(lookup!.search.get("custom_field")).toBe(`enrollmentId=${enrollmentId}`);
    expect(lookup!.search.get("include")).toBe("custom_fields");
    expect(Date.parse(lookup!.search.get("from_date")!)).toBeLessThan(Date.now());
    expect(lookup!.headers.get("authorization")).toMatch(/^Bearer /);
    expect(await signatureOf(db, enrollmentId)).toMatchObject({ signature_status: "sent", signature_envelope_id: docusign.envelopes[0]!.envelopeId, signature_sending_at: null });
  });

  it("after a timeout where DocuSign created nothing, the retry looks, finds none, and sends exactly one", async () => {
    const { tenantId, contract, advance } = await setup();
    const enrollmentId = await enrollmentWithSigner(db, tenantId);
    docusign.disconnect("post", "/envelopes");
    expect((await contract(enrollmentId)).status).toBe(502);
    docusign.reset();

    advance(3 * MINUTE);
    const retry = await contract(enrollmentId);

    expect(retry.status).toBe(201);
    expect(docusign.callsTo("/envelopes", "GET")).toHaveLength(1);
    expect(docusign.envelopes).toHaveLength(1);
    expect((await signatureOf(db, enrollmentId)).signature_envelope_id).toBe(docusign.envelopes[0]!.envelopeId);
  });

  it("a retry whose look-up DocuSign cannot answer sends nothing (502) and stays `sending`", async () => {
    const { tenantId, contract, advance } = await setup();
    const enrollmentId = await enrollmentWithSigner(db, tenantId);
    docusign.loseCreateAnswers();
    await contract(enrollmentId);
    docusign.reset();
    docusign.fail("get", "/envelopes", 503, { errorCode: "SERVICE_UNAVAILABLE", message: "The service is unavailable." });

    advance(3 * MINUTE);
    const retry = await contract(enrollmentId);

    expect(retry.status).toBe(502);
    expect(docusign.callsTo("/envelopes", "POST")).toHaveLength(0);
    expect((await signatureOf(db, enrollmentId)).signature_status).toBe("sending");
  });

  it("Connect links an envelope whose id was never recorded through its enrollmentId custom field; a retry then gets 409", async () => {
    const { tenantId, contract, connect, advance } = await setup();
    const enrollmentId = await enrollmentWithSigner(db, tenantId);
    docusign.loseCreateAnswers();
    await contract(enrollmentId);
    const { envelopeId } = docusign.envelopes[0]!;

    const delivered = await connect("envelope-sent", envelopeId, { tenantId, enrollmentId });

    expect(delivered.status).toBe(200);
    expect(await signatureOf(db, enrollmentId)).toMatchObject({ signature_status: "sent", signature_envelope_id: envelopeId, signature_sending_at: null });
    advance(3 * MINUTE);
    const retry = await contract(enrollmentId);
    expect([retry.status, retry.json.code]).toEqual([409, "ERR_CONTRACT_ALREADY_SENT"]);
    expect(docusign.envelopes).toHaveLength(1);
  });

  it("while `sending`, a late event of the previous envelope, or one naming another enrollment or school, changes nothing", async () => {
    const { tenantId, contract, connect } = await setup();
    const enrollmentId = await enrollmentWithSigner(db, tenantId, { status: "declined" });
    await db.query("update enrollments set signature_envelope_id = 'old-envelope' where id = $1", [enrollmentId]);
    docusign.loseCreateAnswers();
    await contract(enrollmentId);

    await connect("envelope-voided", "old-envelope", {});
    await connect("envelope-sent", crypto.randomUUID(), { tenantId, enrollmentId: crypto.randomUUID() });
    await connect("envelope-sent", crypto.randomUUID(), { tenantId: crypto.randomUUID(), enrollmentId });

    expect(await signatureOf(db, enrollmentId)).toMatchObject({ signature_status: "sending", signature_envelope_id: "old-envelope" });
  });

  it("a refused envelope (DocuSign answered 4xx) undoes the mark: the declined contract stays as it was", async () => {
    const { tenantId, contract } = await setup();
    const enrollmentId = await enrollmentWithSigner(db, tenantId, { status: "declined" });
    await db.query("update enrollments set signature_envelope_id = 'old-envelope' where id = $1", [enrollmentId]);
    docusign.fail("post", "/envelopes", 400, { errorCode: "TEMPLATE_ID_INVALID", message: "Invalid template ID." });

    const res = await contract(enrollmentId);

    expect([res.status, res.json.code]).toEqual([502, "docusign_api_error: TEMPLATE_ID_INVALID"]);
    expect(await signatureOf(db, enrollmentId)).toMatchObject({ signature_status: "declined", signature_envelope_id: "old-envelope", signature_sending_at: null });
  });

  it("with embeddedSigning on, the signer is sent as an embedded recipient (clientUserId) and that is recorded", async () => {
    const { tenantId, contract } = await setup({ embeddedSigning: true });
    const enrollmentId = await enrollmentWithSigner(db, tenantId);

    const res = await contract(enrollmentId);

    expect([res.status, res.json.embeddedSigning]).toEqual([201, true]);
    expect(docusign.envelopes[0]!.body.templateRoles[0]).toMatchObject({ email: "grace.parent@example.com", clientUserId: enrollmentId });
    expect((await signatureOf(db, enrollmentId)).signature_client_user_id).toBe(enrollmentId);
  });
});
