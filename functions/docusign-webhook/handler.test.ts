import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import { DbUnavailableError, type Db, type DbPool, type Row } from "../_shared/db/port.ts";
import { sql } from "../_shared/db/sql.ts";
import { MAX_BODY_BYTES } from "../_shared/http/body-limit.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { connectEvent, connectHmacKey, connectSignature, signedConnectRequest } from "../../tests/support/docusign.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { WEBHOOK_EFFECTS } from "../webhook-effects.ts";
import { effectOf } from "./effects.ts";
import { handler } from "./handler.ts";
import { faultyDb } from "../../tests/support/faulty-db.ts";
import { callHandler, type Delivery } from "../../tests/support/delivery.ts";

type TestServices = Services & { logs: CapturedLogs };

// Connect events of one envelope, in DocuSign's order; generatedDateTime as DocuSign writes it (7 decimals).
const AT = {
  sent: "2026-09-01T10:00:00.1234567Z",
  delivered: "2026-09-01T10:05:00.7654321Z",
  completed: "2026-09-01T10:20:30.5000000Z",
  declined: "2026-09-01T10:21:00.0000000Z",
  voided: "2026-09-01T11:00:00.0000000Z",
};


const send = (services: TestServices, params: Record<string, string | undefined>, req: Request): Promise<Delivery> =>
  callHandler(handler, services, params, req);

type EventRow = { external_id: string; event_type: string; status: string; attempts: number; payload: Record<string, any> };
type EnrollmentRow = {
  signature_status: string; signature_envelope_id: string | null; signature_sent_at: Date | null; signature_completed_at: Date | null;
};

const webhookEvents = (db: Db, tenantId: string) => db.query<EventRow>(
  `select external_id, event_type, status, attempts, payload from webhook_events
    where tenant_id = $1 and source = 'docusign' order by created_at, external_id`, [tenantId]);
const enrollmentOf = async (db: Db, id: string) => (await db.query<EnrollmentRow>(
  "select signature_status, signature_envelope_id, signature_sent_at, signature_completed_at from enrollments where id = $1", [id]))[0]!;
const emailsOf = (db: Db, tenantId: string) => db.query<{ kind: string; to_email: string; to_name: string | null; dedupe_key: string; data: Record<string, unknown> }>(
  "select kind, to_email, to_name, dedupe_key, data from email_messages where tenant_id = $1 order by created_at, dedupe_key", [tenantId]);
const signatureFailures = (db: Db, tenantId: string) => db.query<{ source: string; reason: string } & Row>(
  "select source, reason from webhook_signature_failures where tenant_id = $1 order by id", [tenantId]);


/** A school with DocuSign configured: its Connect HMAC keys (two while rotating) and the rest of the credentials. */
async function createDocuSignTenant(services: Services, keys: string[], options: { enabled?: boolean } = {}): Promise<string> {
  const tenantId = await createTenant(services.db);
  await configureIntegration(services, tenantId, "docusign", {
    integrationKey: crypto.randomUUID(),
    userId: crypto.randomUUID(),
    rsaPrivateKey: "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
    hmacKeys: keys,
  }, { ...options, settings: { environment: "demo" } });
  return tenantId;
}

/** An enrollment whose contract went out (as POST …/contract leaves it): status sent, linked to `envelopeId`. */
async function enrollmentWithContract(db: Db, tenantId: string, envelopeId: string, signer: { email?: string | null; name?: string } = {}) {
  const [row] = await db.query<{ id: string }>(
    `insert into enrollments (tenant_id, student_name, signer_name, signer_email, signature_status, signature_envelope_id, signature_sent_at)
     values ($1, 'Ada Student', $2, $3, 'sent', $4, '2026-09-01T09:59:59Z') returning id`,
    [tenantId, signer.name ?? "Grace Parent", signer.email === undefined ? "grace.parent@example.com" : signer.email, envelopeId],
  );
  return row!.id;
}

describe.each(ADAPTERS)("docusign-webhook on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup(options: { enabled?: boolean; keys?: string[] } = {}) {
    const services = await testServices(db);
    const keys = options.keys ?? [connectHmacKey()];
    const tenantId = await createDocuSignTenant(services, keys, options);
    const envelopeId = crypto.randomUUID();
    /** Posts `body` signed with `signWith` (default: the first configured key) to this tenant's URL. */
    const post = (body: string | object, opts: { signWith?: string[]; headers?: Record<string, string>; tenant?: string } = {}) => {
      const raw = typeof body === "string" ? body : JSON.stringify(body);
      const tenant = opts.tenant ?? tenantId;
      return send(services, { tenantId: tenant }, signedConnectRequest(tenant, raw, { keys: opts.signWith ?? [keys[0]!], ...(opts.headers ? { headers: opts.headers } : {}) }));
    };
    const event = (name: string, fields: Parameters<typeof connectEvent>[1] = {}) =>
      connectEvent(name, { envelopeId, generatedDateTime: AT[name.replace("envelope-", "") as keyof typeof AT] ?? AT.sent, ...fields });
    return { services, keys, tenantId, envelopeId, post, event };
  }

  async function expectNothingStored(tenantId: string) {
    expect(await webhookEvents(db, tenantId)).toEqual([]);
  }

  describe("verification, routing and storage", () => {
    it("stores a signed event once, keyed envelopeId:event:generatedDateTime, and acknowledges it (200)", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);

      const res = await post(event("envelope-delivered"));

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({
        external_id: `${envelopeId}:envelope-delivered:${AT.delivered}`, event_type: "envelope-delivered", status: "processed", attempts: 1,
      })]);
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("delivered");
    });

    it("stores the verified body as sent (retryCount, unknown fields and all)", async () => {
      const { tenantId, post, event } = await setup();
      await post({ ...event("envelope-sent"), extra: { "ünïcode": "✓" } });
      const [row] = await webhookEvents(db, tenantId);
      expect(row!.payload).toMatchObject({ event: "envelope-sent", retryCount: 0, extra: { "ünïcode": "✓" } });
    });

    it("answers 401 without any X-DocuSign-Signature-N header, stores nothing and records the failure (reason only)", async () => {
      const { tenantId, post, event } = await setup();
      const res = await post(event("envelope-sent"), { signWith: [] });

      expect(res.status).toBe(401);
      expect(res.json.code).toBe("ERR_WEBHOOK_MISSING_HEADER");
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toEqual([{ source: "docusign", reason: "ERR_WEBHOOK_MISSING_HEADER" }]);
    });

    it("answers 401 to a signature made with a key this tenant does not have", async () => {
      const { tenantId, post, event } = await setup();
      const res = await post(event("envelope-sent"), { signWith: [connectHmacKey()] });

      expect(res.status).toBe(401);
      expect(res.json.code).toBe("ERR_WEBHOOK_SIGNATURE");
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toEqual([{ source: "docusign", reason: "ERR_WEBHOOK_SIGNATURE" }]);
    });

    it("answers 401 to garbage signature headers", async () => {
      const { tenantId, post, event } = await setup();
      for (const value of ["garbage", "", "a".repeat(10_000), "%%%"]) {
        expect((await post(event("envelope-sent"), { signWith: [], headers: { "X-DocuSign-Signature-1": value } })).status).toBe(401);
      }
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toHaveLength(4);
    });

    it("answers 401 to a body truncated after signing", async () => {
      const { services, tenantId, keys, event } = await setup();
      const body = JSON.stringify(event("envelope-completed"));
      const req = signedConnectRequest(tenantId, body.slice(0, -10), { headers: { "X-DocuSign-Signature-1": connectSignature(body, keys[0]!) } });

      expect((await send(services, { tenantId }, req)).status).toBe(401);
      await expectNothingStored(tenantId);
    });

    it("answers 401 when tenant A's valid signature is sent to tenant B's URL", async () => {
      const a = await setup();
      const b = await setup();
      const res = await a.post(a.event("envelope-sent"), { tenant: b.tenantId });
      expect(res.status).toBe(401);
      await expectNothingStored(b.tenantId);
      await expectNothingStored(a.tenantId);
    });

    it("answers 400 to a correctly signed body that is not JSON (XML SIM) or not a Connect event, storing nothing", async () => {
      const { tenantId, post } = await setup();
      const xml = await post(`<?xml version="1.0"?><DocuSignEnvelopeInformation><EnvelopeStatus/></DocuSignEnvelopeInformation>`);
      const noEvent = await post({ generatedDateTime: AT.sent, data: { envelopeId: "e" } });

      expect([xml.status, xml.json.code]).toEqual([400, "ERR_WEBHOOK_PAYLOAD"]);
      expect([noEvent.status, noEvent.json.code]).toEqual([400, "ERR_WEBHOOK_PAYLOAD"]);
      await expectNothingStored(tenantId);
    });

    it("answers 413 to a body over 1 MiB, before verifying", async () => {
      const { tenantId, post } = await setup();
      const res = await post("x".repeat(MAX_BODY_BYTES + 1));
      expect(res.status).toBe(413);
      await expectNothingStored(tenantId);
    });

    it("answers 413 telling the admin to turn Connect's \"Include Documents\" off when a delivery carries the PDFs", async () => {
      const { tenantId, post, event } = await setup();
      // "Include Documents": data.envelopeSummary.envelopeDocuments[].PDFBytes, base64 (connect.schema-v2.json).
      const pdf = Buffer.alloc(800 * 1024, 7).toString("base64");
      const res = await post(event("envelope-completed", { envelopeSummary: { status: "completed", envelopeDocuments: [{ documentId: "1", name: "Contract.pdf", PDFBytes: pdf }] } }));

      expect(res.status).toBe(413);
      expect(res.json.detail).toMatch(/turn "Include Documents" off .* the signed PDF is fetched on demand/);
      expect(res.json.detail).toContain("\"Include custom fields\" on");
      await expectNothingStored(tenantId);
    });

    it("answers 404 to an unknown tenant, a non-uuid tenant id, and a tenant without DocuSign", async () => {
      const { services, keys, event } = await setup();
      const body = JSON.stringify(event("envelope-sent"));
      const withoutDocuSign = await createTenant(db);
      for (const tenantId of [crypto.randomUUID(), "not-a-uuid", withoutDocuSign]) {
        const res = await send(services, { tenantId }, signedConnectRequest(tenantId, body, { keys }));
        expect(res.status).toBe(404);
      }
      expect(await db.query("select 1 from webhook_events where tenant_id = $1", [withoutDocuSign])).toEqual([]);
    });

    it("answers 403 when the tenant's DocuSign integration is disabled, storing nothing", async () => {
      const { tenantId, post, event } = await setup({ enabled: false });
      const res = await post(event("envelope-sent"));
      expect([res.status, res.json.code]).toEqual([403, "ERR_INTEGRATION_DISABLED"]);
      await expectNothingStored(tenantId);
    });

    it("answers 503 with Retry-After when the database drops mid-apply, leaving nothing half-written", async () => {
      const { tenantId, envelopeId, keys, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);
      const lost = faultyDb(db, (text) => (text.includes("update enrollments") ? new DbUnavailableError("database unavailable: ECONNRESET") : undefined));
      const services = await testServices(lost);

      const res = await send(services, { tenantId }, signedConnectRequest(tenantId, JSON.stringify(event("envelope-delivered")), { keys }));

      expect([res.status, res.headers.get("retry-after")]).toEqual([503, "30"]);
      await expectNothingStored(tenantId);
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("sent");
    });

    it("never puts an HMAC key, a signature or the body in a log line or a response", async () => {
      const { services, keys, post, event } = await setup();
      const body = JSON.stringify(event("envelope-completed"));
      const answers = [await post(body), await post(body, { signWith: [connectHmacKey()] }), await post("not json")];
      const everything = services.logs.lines.join("\n") + answers.map((a) => a.text).join("\n");
      expect(everything).not.toContain(keys[0]);
      expect(everything).not.toContain(connectSignature(body, keys[0]!));
      expect(services.logs.lines.join("\n")).not.toContain("generatedDateTime");
    });
  });

  describe("HMAC key rotation", () => {
    it("accepts deliveries signed with either configured key, in any X-DocuSign-Signature-N header", async () => {
      const [oldKey, newKey] = [connectHmacKey(), connectHmacKey()];
      const { tenantId, post, event } = await setup({ keys: [oldKey, newKey] });

      // DocuSign signs with every active key: here one header per key, then only the new key in header 2.
      expect((await post(event("envelope-sent"), { signWith: [oldKey, newKey] })).status).toBe(200);
      expect((await post(event("envelope-delivered"), { signWith: [connectHmacKey(), newKey] })).status).toBe(200);
      expect((await post(event("envelope-completed"), { signWith: [oldKey] })).status).toBe(200);
      expect(await webhookEvents(db, tenantId)).toHaveLength(3);
    });

    it("stops accepting a key once it is removed from the integration", async () => {
      const [oldKey, newKey] = [connectHmacKey(), connectHmacKey()];
      const { services, tenantId, post, event } = await setup({ keys: [oldKey, newKey] });
      await configureIntegration(services, tenantId, "docusign", {
        integrationKey: "ik", userId: "u", rsaPrivateKey: "-----BEGIN RSA PRIVATE KEY-----\nAA\n-----END RSA PRIVATE KEY-----", hmacKeys: [newKey],
      });

      expect((await post(event("envelope-sent"), { signWith: [oldKey] })).status).toBe(401);
      expect((await post(event("envelope-sent"), { signWith: [newKey] })).status).toBe(200);
    });
  });

  describe("redelivery and idempotency", () => {
    it("acknowledges a redelivery (retryCount changed) as a duplicate without storing or applying it twice", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);

      const first = await post(event("envelope-completed", { retryCount: 0 }));
      const completedAt = (await enrollmentOf(db, enrollmentId)).signature_completed_at;
      const retry = await post(event("envelope-completed", { retryCount: 3 }));

      expect(first.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect([retry.status, retry.json]).toEqual([200, { received: 1, duplicates: 1, failed: 0 }]);
      expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({ status: "processed", attempts: 1 })]);
      expect((await enrollmentOf(db, enrollmentId)).signature_completed_at).toEqual(completedAt);
      expect(await emailsOf(db, tenantId)).toHaveLength(1);
    });

    it("stores recipient events of several signers at the same instant separately (recipientId in the key)", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      await post(event("recipient-completed", { recipientId: "1", generatedDateTime: AT.completed }));
      await post(event("recipient-completed", { recipientId: "2", generatedDateTime: AT.completed }));
      await post(event("envelope-completed"));

      expect((await webhookEvents(db, tenantId)).map((e) => e.external_id).sort()).toEqual([
        `${envelopeId}:envelope-completed:${AT.completed}`,
        `${envelopeId}:recipient-completed:${AT.completed}:1`,
        `${envelopeId}:recipient-completed:${AT.completed}:2`,
      ]);
    });

    it("handles concurrent duplicate and out-of-order deliveries without double-applying", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);

      const answers = await Promise.all([
        post(event("envelope-completed")), post(event("envelope-delivered")), post(event("envelope-completed", { retryCount: 1 })),
        post(event("envelope-sent")), post(event("envelope-delivered", { retryCount: 2 })),
      ]);

      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.reduce((n, a) => n + (a.json.duplicates as number), 0)).toBe(2);
      expect(await webhookEvents(db, tenantId)).toHaveLength(3);
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("completed");
      // The completion email exactly once; the "sent" one only if sent was applied before completed.
      const keys = (await emailsOf(db, tenantId)).map((e) => e.dedupe_key);
      expect(keys.filter((k) => k === `${envelopeId}:envelope-completed`)).toHaveLength(1);
      expect(new Set(keys).size).toBe(keys.length);
    });
  });

  describe("enrollment signature status moves forward only", () => {
    it("sent → delivered → completed, recording when it was completed", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);

      await post(event("envelope-sent"));
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("sent");
      await post(event("envelope-delivered"));
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("delivered");
      await post(event("envelope-completed"));

      const enrollment = await enrollmentOf(db, enrollmentId);
      expect(enrollment.signature_status).toBe("completed");
      expect(enrollment.signature_completed_at).toEqual(new Date("2026-09-01T10:20:30.500Z"));
      // The contract call's sent time is kept; Connect's sent event does not move it.
      expect(enrollment.signature_sent_at).toEqual(new Date("2026-09-01T09:59:59Z"));
    });

    it("a late envelope-delivered (and a late sent) never undo completed", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);

      await post(event("envelope-completed"));
      await post(event("envelope-delivered"));
      await post(event("envelope-sent"));

      const enrollment = await enrollmentOf(db, enrollmentId);
      expect(enrollment.signature_status).toBe("completed");
      expect(enrollment.signature_completed_at).toEqual(new Date("2026-09-01T10:20:30.500Z"));
      expect((await webhookEvents(db, tenantId)).map((e) => e.status)).toEqual(["processed", "processed", "processed"]);
    });

    it("uses envelopeSummary.completedDateTime when Connect includes it", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);
      await post(event("envelope-completed", { envelopeSummary: { status: "completed", completedDateTime: "2026-09-01T10:19:00.0000000Z" } }));
      expect((await enrollmentOf(db, enrollmentId)).signature_completed_at).toEqual(new Date("2026-09-01T10:19:00Z"));
    });

    it.each(["declined", "voided"] as const)("%s ends it: no later event moves it, not even completed", async (end) => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);

      await post(event(`envelope-${end}`));
      await post(event("envelope-delivered"));
      await post(event("envelope-completed"));
      await post(event(end === "declined" ? "envelope-voided" : "envelope-declined"));

      const enrollment = await enrollmentOf(db, enrollmentId);
      expect(enrollment.signature_status).toBe(end);
      expect(enrollment.signature_completed_at).toBeNull();
    });

    it("a delivered arriving before sent still lands on delivered (sent never moves it back)", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const [row] = await db.query<{ id: string }>(
        "insert into enrollments (tenant_id, signature_envelope_id) values ($1, $2) returning id", [tenantId, envelopeId]);

      await post(event("envelope-delivered"));
      await post(event("envelope-sent"));

      const enrollment = await enrollmentOf(db, row!.id);
      expect(enrollment.signature_status).toBe("delivered");
      expect(enrollment.signature_sent_at).toBeNull();
    });

    it("sets signature_sent_at from envelope-sent when the enrollment had none", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const [row] = await db.query<{ id: string }>(
        "insert into enrollments (tenant_id, signature_envelope_id) values ($1, $2) returning id", [tenantId, envelopeId]);
      await post(event("envelope-sent"));
      expect(await enrollmentOf(db, row!.id)).toMatchObject({ signature_status: "sent", signature_sent_at: new Date("2026-09-01T10:00:00.123Z") });
    });

    it("stores and acknowledges an envelope no enrollment is linked to (a test send) without changing anything", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const other = await enrollmentWithContract(db, tenantId, crypto.randomUUID());

      const res = await post(event("envelope-completed"));

      expect([res.status, res.json]).toEqual([200, { received: 1, duplicates: 0, failed: 0 }]);
      expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({ external_id: `${envelopeId}:envelope-completed:${AT.completed}`, status: "processed" })]);
      expect((await enrollmentOf(db, other)).signature_status).toBe("sent");
      expect(await emailsOf(db, tenantId)).toEqual([]);
    });

    it("stores and acknowledges unknown and unhandled events (envelope-corrected, recipient-*, template events) without changes", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);

      const answers = [
        await post(event("envelope-corrected", { generatedDateTime: AT.delivered })),
        await post(event("recipient-declined", { recipientId: "1", generatedDateTime: AT.declined })),
        await post(event("some-future-event", { generatedDateTime: AT.voided })),
        await post({ event: "template-modified", apiVersion: "v2.1", generatedDateTime: AT.sent, data: { templateId: "t-1" } }),
      ];

      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect((await webhookEvents(db, tenantId)).map((e) => e.event_type).sort()).toEqual(["envelope-corrected", "recipient-declined", "some-future-event", "template-modified"]);
      expect((await webhookEvents(db, tenantId)).find((e) => e.event_type === "template-modified")!.external_id).toBe(`:template-modified:${AT.sent}`);
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("sent");
    });

    it("never touches another tenant's enrollment with the same envelope id", async () => {
      const a = await setup();
      const b = await setup();
      const theirs = await enrollmentWithContract(db, b.tenantId, a.envelopeId);

      await a.post(a.event("envelope-completed"));

      expect((await enrollmentOf(db, theirs)).signature_status).toBe("sent");
      expect(await emailsOf(db, b.tenantId)).toEqual([]);
    });

    it("ignores an unparseable generatedDateTime for times (completed now) instead of failing the event", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);
      const res = await post(event("envelope-completed", { generatedDateTime: "2026-13-45T99:00:00Z" }));
      expect(res.json.failed).toBe(0);
      const enrollment = await enrollmentOf(db, enrollmentId);
      expect(enrollment.signature_status).toBe("completed");
      expect(enrollment.signature_completed_at).not.toBeNull();
    });
  });

  describe("contract notifications (email outbox)", () => {
    it("enqueues one contract_notification to the signer on envelope-sent and one on envelope-completed", async () => {
      const { tenantId, envelopeId, post, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);

      await post(event("envelope-sent"));
      await post(event("envelope-delivered"));
      await post(event("envelope-completed"));

      expect(await emailsOf(db, tenantId)).toEqual([
        {
          kind: "contract_notification", to_email: "grace.parent@example.com", to_name: "Grace Parent", dedupe_key: `${envelopeId}:envelope-sent`,
          data: { event: "envelope-sent", status: "sent", envelopeId, enrollmentId, studentName: "Ada Student", signerName: "Grace Parent" },
        },
        expect.objectContaining({ dedupe_key: `${envelopeId}:envelope-completed`, data: expect.objectContaining({ status: "completed" }) }),
      ]);
    });

    it("sends no 'sent' email for a late envelope-sent after completion, and none without a signer email", async () => {
      const late = await setup();
      await enrollmentWithContract(db, late.tenantId, late.envelopeId);
      await late.post(late.event("envelope-completed"));
      await late.post(late.event("envelope-sent"));
      expect((await emailsOf(db, late.tenantId)).map((e) => e.dedupe_key)).toEqual([`${late.envelopeId}:envelope-completed`]);

      const noEmail = await setup();
      await enrollmentWithContract(db, noEmail.tenantId, noEmail.envelopeId, { email: null });
      await noEmail.post(noEmail.event("envelope-sent"));
      await noEmail.post(noEmail.event("envelope-completed"));
      expect(await emailsOf(db, noEmail.tenantId)).toEqual([]);
    });

    it("rolls back the status change when the enqueue fails, storing the event as failed for the retry job", async () => {
      const { tenantId, envelopeId, keys, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);
      const broken = faultyDb(db, (text) => (text.includes("insert into email_messages") ? new Error("email_messages is locked") : undefined));
      const services = await testServices(broken);

      const res = await send(services, { tenantId }, signedConnectRequest(tenantId, JSON.stringify(event("envelope-completed")), { keys }));

      expect([res.status, res.json.failed]).toEqual([200, 1]);
      expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({ status: "failed" })]);
      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("sent");
      expect(await emailsOf(db, tenantId)).toEqual([]);
    });
  });

  describe("re-applying stored events (retry job, replay)", () => {
    it("webhook-effects.ts names this function's effectOf for docusign", async () => {
      expect(await WEBHOOK_EFFECTS.docusign!()).toBe(effectOf);
    });

    it("applies the same forward-only effect when a stored event is re-applied", async () => {
      const { tenantId, envelopeId, event } = await setup();
      const enrollmentId = await enrollmentWithContract(db, tenantId, envelopeId);
      const stored = event("envelope-delivered");
      const effect = effectOf(tenantId, { externalId: "x", eventType: stored.event, payload: stored });
      if (!effect || !("statements" in effect)) throw new Error("delivered is one statement");
      for (const statement of effect.statements(sql`true`)) await db.query(statement.text, statement.values);

      expect((await enrollmentOf(db, enrollmentId)).signature_status).toBe("delivered");
      expect(effectOf(tenantId, { externalId: "y", eventType: "envelope-corrected", payload: event("envelope-corrected") })).toBeUndefined();
    });
  });
});

describe("docusign-webhook single-tenant route (/api/webhooks/docusign, no tenant id)", () => {
  // A database of its own: the shared one has many tenants with DocuSign enabled.
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("answers 404 while no tenant (or several) has DocuSign enabled, and routes to the only one that has", async () => {
    const services = await testServices(db);
    const key = connectHmacKey();
    const body = JSON.stringify(connectEvent("envelope-sent"));

    expect((await send(services, {}, signedConnectRequest(undefined, body, { keys: [key] }))).status).toBe(404);

    const tenantId = await createDocuSignTenant(services, [key]);
    const res = await send(services, {}, signedConnectRequest(undefined, body, { keys: [key] }));
    expect(res.status).toBe(200);
    expect(await webhookEvents(db, tenantId)).toHaveLength(1);
    expect((await send(services, {}, signedConnectRequest(undefined, body, { keys: [connectHmacKey()] }))).status).toBe(401);

    await createDocuSignTenant(services, [connectHmacKey()]);
    expect((await send(services, {}, signedConnectRequest(undefined, JSON.stringify(connectEvent("envelope-delivered")), { keys: [key] }))).status).toBe(404);
  });
});
