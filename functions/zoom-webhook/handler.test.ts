import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import { DbUnavailableError, type Db, type DbPool, type Row } from "../_shared/db/port.ts";
import { MAX_BODY_BYTES } from "../_shared/http/body-limit.ts";
import { recordAndApply } from "../_shared/webhooks/record-event.ts";
import { WEBHOOK_EFFECTS } from "../webhook-effects.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import {
  meetingDeletedEvent, meetingEvent, meetingUpdatedEvent, participantEvent, recordingCompletedEvent, signedZoomRequest, urlValidationEvent, zoomEncryptedToken, zoomMeetingNumber,
  zoomMeetingUuid, zoomSignature,
} from "../../tests/support/zoom.ts";
import { effectOf } from "./effects.ts";
import { handler } from "./handler.ts";
import { faultyDb } from "../../tests/support/faulty-db.ts";
import { callHandler, type Delivery } from "../../tests/support/delivery.ts";

/** The injected clock: every request is verified against this instant, never against the wall clock. */
const NOW_MS = 1_790_000_000_000;
const NOW = Math.floor(NOW_MS / 1000);
/** `event_ts` values (milliseconds), all before NOW. */
const TS = (offsetSeconds: number) => NOW_MS - 3_600_000 + offsetSeconds * 1000;

type TestServices = Services & { logs: CapturedLogs };

const uniqueToken = () => `zmtoken_${crypto.randomUUID().replaceAll("-", "")}`;


const send = (services: TestServices, params: Record<string, string | undefined>, req: Request): Promise<Delivery> =>
  callHandler(handler, services, params, req);

function deliver(
  services: TestServices, tenantId: string | undefined, body: string | object,
  options: { secretToken: string; timestamp?: number; signature?: string | null; timestampHeader?: string | null; params?: Record<string, string | undefined> },
): Promise<Delivery> {
  const raw = typeof body === "string" ? body : JSON.stringify(body);
  const req = signedZoomRequest(tenantId, raw, {
    secretToken: options.secretToken, timestamp: options.timestamp ?? NOW,
    ...(options.signature !== undefined ? { signature: options.signature } : {}),
    ...(options.timestampHeader !== undefined ? { timestampHeader: options.timestampHeader } : {}),
  });
  return send(services, options.params ?? (tenantId === undefined ? {} : { tenantId }), req);
}

// ---------------------------------------------------------------------------------------------------------

type EventRow = { external_id: string; event_type: string; status: string; attempts: number; last_error: string | null; payload: Record<string, any> };
type MeetingRow = {
  id: string; zoom_meeting_id: number; uuid: string | null; status: string; status_event_at: Date | null; started_at: Date | null;
  ended_at: Date | null; recording_status: string; recording_completed_at: Date | null; updated_at: Date;
};

const webhookEvents = (db: Db, tenantId: string) => db.query<EventRow>(
  "select external_id, event_type, status, attempts, last_error, payload from webhook_events where tenant_id = $1 and source = 'zoom' order by created_at, external_id",
  [tenantId]);
const meetingOf = async (db: Db, id: string) => (await db.query<MeetingRow>(
  `select id, zoom_meeting_id, uuid, status, status_event_at, started_at, ended_at, recording_status, recording_completed_at, updated_at
     from meetings where id = $1`, [id]))[0]!;
const signatureFailures = (db: Db, tenantId: string) => db.query<{ source: string; reason: string } & Row>(
  "select source, reason from webhook_signature_failures where tenant_id = $1 order by id", [tenantId]);

/** A meeting row as the zoom-meetings function leaves it after creating one in Zoom. */
async function insertMeeting(db: Db, tenantId: string, fields: { zoomMeetingId?: number; uuid?: string; status?: string } = {}) {
  const zoomMeetingId = fields.zoomMeetingId ?? zoomMeetingNumber();
  const uuid = fields.uuid ?? zoomMeetingUuid();
  const [row] = await db.query<{ id: string }>(
    `insert into meetings (tenant_id, zoom_meeting_id, uuid, type, topic, start_time, duration, timezone, auto_recording, join_url, status, status_rank)
     values ($1, $2, $3, 2, 'Algebra I', '2026-12-01T15:00:00Z', 60, 'America/New_York', 'cloud', $4, $5,
             case $5 when 'deleted' then 3 else 0 end)
     returning id`,
    [tenantId, zoomMeetingId, uuid, `https://us05web.zoom.us/j/${zoomMeetingId}?pwd=abc.1`, fields.status ?? "waiting"],
  );
  return { id: row!.id, zoomMeetingId, uuid };
}


// ---------------------------------------------------------------------------------------------------------

describe.each(ADAPTERS)("zoom-webhook on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup(options: { enabled?: boolean; db?: Db } = {}) {
    const services = await testServices(options.db ?? db, { now: () => NOW_MS });
    const secretToken = uniqueToken();
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "zoom", {
      accountId: "acct_0123456789", clientId: "cid_0123456789abcdef", clientSecret: "csecret_0123456789abcdef0123", webhookSecretToken: secretToken,
    }, { enabled: options.enabled ?? true, settings: { autoRecording: "cloud" } });
    const post = (body: string | object, opts: { timestamp?: number; signature?: string | null; timestampHeader?: string | null; secretToken?: string } = {}) =>
      deliver(services, tenantId, body, { secretToken, ...opts });
    /** No response, stored payload or log line holds the secret token. */
    const expectNoSecret = (...answers: Delivery[]) => {
      for (const answer of answers) expect(answer.text).not.toContain(secretToken);
      expect(services.logs.lines.join("\n")).not.toContain(secretToken);
    };
    return { services, secretToken, tenantId, post, expectNoSecret };
  }

  async function expectNothingStored(tenantId: string) {
    expect(await webhookEvents(db, tenantId)).toEqual([]);
  }

  describe("endpoint.url_validation", () => {
    it("answers {plainToken, encryptedToken} (HMAC-SHA256 with the secret token) and stores nothing", async () => {
      const { tenantId, post, secretToken, services, expectNoSecret } = await setup();
      const plainToken = "qgg8vlvZRS6UYooatFL8Aw";

      const res = await post(urlValidationEvent(plainToken, NOW_MS));

      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(res.json).toEqual({ plainToken, encryptedToken: zoomEncryptedToken(plainToken, secretToken) });
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toEqual([]);
      expect(services.logs.lines.some((l) => l.includes('"msg":"handshake answered"'))).toBe(true);
      expectNoSecret(res);
    });

    it("answers 401 — and no encryptedToken — when the validation request's own signature is not valid", async () => {
      const { tenantId, post } = await setup();
      const body = urlValidationEvent("attacker-chosen-token", NOW_MS);

      const forged = await post(body, { secretToken: uniqueToken() });
      const unsigned = await post(body, { signature: null });
      const stale = await post(body, { timestamp: NOW - 301 });

      expect([forged.status, unsigned.status, stale.status]).toEqual([401, 401, 401]);
      expect([forged.json.code, unsigned.json.code, stale.json.code]).toEqual(["ERR_WEBHOOK_SIGNATURE", "ERR_WEBHOOK_MISSING_HEADER", "ERR_WEBHOOK_TIMESTAMP"]);
      for (const res of [forged, unsigned, stale]) expect(res.text).not.toContain("encryptedToken");
      expect((await signatureFailures(db, tenantId)).map((f) => f.reason)).toEqual(["ERR_WEBHOOK_SIGNATURE", "ERR_WEBHOOK_MISSING_HEADER", "ERR_WEBHOOK_TIMESTAMP"]);
    });

    it("answers 400 to a signed validation request without a plainToken", async () => {
      const { tenantId, post } = await setup();
      const res = await post({ event: "endpoint.url_validation", event_ts: NOW_MS, payload: {} });

      expect(res.status).toBe(400);
      expect(res.json.code).toBe("ERR_WEBHOOK_PAYLOAD");
      await expectNothingStored(tenantId);
    });

    it("still answers it while the integration is disabled (Zoom keeps the endpoint), but refuses events with 403", async () => {
      const { tenantId, post, secretToken } = await setup({ enabled: false });

      const validation = await post(urlValidationEvent("abc123", NOW_MS));
      const event = await post(meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(0) }));

      expect(validation.status).toBe(200);
      expect(validation.json.encryptedToken).toBe(zoomEncryptedToken("abc123", secretToken));
      expect(event.status).toBe(403);
      expect(event.json.code).toBe("ERR_INTEGRATION_DISABLED");
      await expectNothingStored(tenantId);
    });
  });

  describe("verification, routing and storage", () => {
    it("stores a valid meeting.started as processed, keyed on event + uuid + event_ts, and starts the meeting", async () => {
      const { tenantId, post, expectNoSecret, services } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const body = meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0), startTime: "2026-12-01T15:00:05Z" });

      const res = await post(body);

      expect(res.status).toBe(200);
      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      const events = await webhookEvents(db, tenantId);
      expect(events).toEqual([expect.objectContaining({
        external_id: `meeting.started:${meeting.uuid}:${TS(0)}`, event_type: "meeting.started", status: "processed", attempts: 1, last_error: null,
      })]);
      expect(events[0]!.payload).toEqual(body);
      expect(await meetingOf(db, meeting.id)).toMatchObject({
        status: "started", uuid: meeting.uuid, started_at: new Date("2026-12-01T15:00:05Z"), ended_at: null, status_event_at: new Date(TS(0)),
      });
      expect(await signatureFailures(db, tenantId)).toEqual([]);
      expect(services.logs.lines.some((l) => l.includes('"msg":"event stored"') && l.includes(`meeting.started:${meeting.uuid}`))).toBe(true);
      expectNoSecret(res);
    });

    it("answers 401 without x-zm-signature or x-zm-request-timestamp, storing nothing and recording the reason only", async () => {
      const { tenantId, post } = await setup();
      const body = meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(0) });

      const noSignature = await post(body, { signature: null });
      const noTimestamp = await post(body, { timestampHeader: null });

      for (const res of [noSignature, noTimestamp]) {
        expect(res.status).toBe(401);
        expect(res.json).toMatchObject({ status: 401, code: "ERR_WEBHOOK_MISSING_HEADER" });
      }
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toEqual([
        { source: "zoom", reason: "ERR_WEBHOOK_MISSING_HEADER" }, { source: "zoom", reason: "ERR_WEBHOOK_MISSING_HEADER" },
      ]);
    });

    it("answers 401 to garbage signatures and timestamps, recording each attempt", async () => {
      const { tenantId, post, secretToken } = await setup();
      const raw = JSON.stringify(meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(0) }));
      const good = zoomSignature(raw, NOW, secretToken);
      const garbage: { signature?: string; timestampHeader?: string }[] = [
        { signature: "garbage" },
        { signature: "v0=" },
        { signature: good.slice(3) },
        { signature: good.replace("v0=", "v1=") },
        { signature: good.slice(0, -2) },
        { signature: `v0=${"0".repeat(64)}` },
        { signature: "\u00e9\u00e9\u00e9" },
        { timestampHeader: "not-a-number" },
        { timestampHeader: `${NOW}.5` },
        { timestampHeader: String(NOW_MS) },
      ];
      for (const change of garbage) {
        const res = await post(raw, change);
        expect(res.status, JSON.stringify(change)).toBe(401);
        expect(["ERR_WEBHOOK_SIGNATURE", "ERR_WEBHOOK_TIMESTAMP"]).toContain(res.json.code);
      }
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toHaveLength(garbage.length);
    });

    it("answers 401 when tenant A's valid signature is sent to tenant B's URL", async () => {
      const a = await setup();
      const b = await setup();
      const body = meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(0) });

      const res = await deliver(b.services, b.tenantId, body, { secretToken: a.secretToken });

      expect(res.status).toBe(401);
      expect(res.json.code).toBe("ERR_WEBHOOK_SIGNATURE");
      await expectNothingStored(b.tenantId);
      expect((await signatureFailures(db, b.tenantId)).map((f) => f.reason)).toEqual(["ERR_WEBHOOK_SIGNATURE"]);
      expect((await deliver(a.services, a.tenantId, body, { secretToken: a.secretToken })).status).toBe(200);
    });

    it("answers 401 to a timestamp 301 s old or ahead (injected clock) and accepts exactly 300 s either way", async () => {
      const { tenantId, post } = await setup();
      const event = (n: number) => meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(n) });

      const old = await post(event(1), { timestamp: NOW - 301 });
      const ahead = await post(event(2), { timestamp: NOW + 301 });
      expect([old.status, ahead.status]).toEqual([401, 401]);
      expect([old.json.code, ahead.json.code]).toEqual(["ERR_WEBHOOK_TIMESTAMP", "ERR_WEBHOOK_TIMESTAMP"]);
      await expectNothingStored(tenantId);

      expect((await post(event(3), { timestamp: NOW - 300 })).status).toBe(200);
      expect((await post(event(4), { timestamp: NOW + 300 })).status).toBe(200);
      expect(await webhookEvents(db, tenantId)).toHaveLength(2);
    });

    it("verifies the raw body: changed after signing, or re-serialized, is 401", async () => {
      const { tenantId, post, secretToken } = await setup();
      const raw = JSON.stringify(meetingEvent("meeting.ended", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(0) }));
      const signature = zoomSignature(raw, NOW, secretToken);

      const tampered = await post(raw.replace("meeting.ended", "meeting.started"), { signature });
      const reformatted = await post(JSON.stringify(JSON.parse(raw), null, 2), { signature });

      expect([tampered.status, reformatted.status]).toEqual([401, 401]);
      await expectNothingStored(tenantId);
      expect((await post(raw, { signature })).status).toBe(200);
    });

    it("answers 400 to a correctly signed body that is not JSON or not a Zoom event, storing nothing", async () => {
      const { tenantId, post } = await setup();
      const bodies = [
        '{"event":"meeting.started",',
        "null",
        "[]",
        JSON.stringify({ hello: "world" }),
        JSON.stringify({ event: "meeting.started", payload: {} }),
        JSON.stringify({ event: "meeting.started", event_ts: "1790000000000", payload: {} }),
        JSON.stringify({ event: 42, event_ts: TS(0) }),
      ];
      for (const body of bodies) {
        const res = await post(body);
        expect(res.status, body).toBe(400);
        expect(res.json.code).toBe("ERR_WEBHOOK_PAYLOAD");
      }
      await expectNothingStored(tenantId);
      expect(await signatureFailures(db, tenantId)).toEqual([]);
    });

    it("answers 413 to a body over 1 MiB and accepts exactly 1 MiB", async () => {
      const { tenantId, post } = await setup();
      const sized = (bytes: number) => {
        const event = meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(0), topic: "" });
        const base = JSON.stringify(event).length;
        event.payload.object.topic = "x".repeat(bytes - base);
        const raw = JSON.stringify(event);
        expect(new TextEncoder().encode(raw).byteLength).toBe(bytes);
        return raw;
      };

      expect((await post(sized(MAX_BODY_BYTES + 1))).status).toBe(413);
      await expectNothingStored(tenantId);
      expect((await post(sized(MAX_BODY_BYTES))).status).toBe(200);
    });

    it("answers 404 to an unknown tenant, a non-uuid tenant id, a tenant without Zoom, and Zoom without a secret token", async () => {
      const services = await testServices(db, { now: () => NOW_MS });
      const secretToken = uniqueToken();
      const body = meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(0) });
      const withoutZoom = await createTenant(db);
      await configureIntegration(services, withoutZoom, "stripe", { webhookSecret: "whsec_0123456789abcdef" });
      const zoomWithoutToken = await createTenant(db);
      await configureIntegration(services, zoomWithoutToken, "zoom", { accountId: "acct_1", clientId: "cid_1", clientSecret: "csecret_1" });

      for (const tenantId of [crypto.randomUUID(), "not-a-uuid", "1; drop table meetings", withoutZoom, zoomWithoutToken]) {
        const res = await deliver(services, tenantId, body, { secretToken, params: { tenantId } });
        expect(res.status, tenantId).toBe(404);
      }
      for (const tenantId of [withoutZoom, zoomWithoutToken]) {
        await expectNothingStored(tenantId);
        expect(await signatureFailures(db, tenantId)).toEqual([]);
      }
    });

    it("acknowledges a duplicate delivery (200) without storing or applying it twice", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const body = meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0) });

      const first = await post(body);
      const before = await meetingOf(db, meeting.id);
      // Zoom's retry repeats the body under a fresh timestamp and signature.
      const again = await post(body, { timestamp: NOW - 20 });

      expect(first.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect(again.status).toBe(200);
      expect(again.json).toEqual({ received: 1, duplicates: 1, failed: 0 });
      expect(await webhookEvents(db, tenantId)).toEqual([expect.objectContaining({ status: "processed", attempts: 1 })]);
      expect((await meetingOf(db, meeting.id)).updated_at.getTime()).toBe(before.updated_at.getTime());
    });

    it("stores and acknowledges unknown event types and events about meetings it does not know, changing no meeting", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const participant = {
        event: "meeting.participant_joined", event_ts: TS(0),
        payload: { account_id: "AbC", object: { id: String(meeting.zoomMeetingId), uuid: meeting.uuid, participant: { user_name: "Ada" } } },
      };
      const otherMeeting = meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(1) });
      const noObject = { event: "app_deauthorized", event_ts: TS(2), payload: { account_id: "AbC", user_id: "u1" } };

      const answers = await Promise.all([participant, otherMeeting, noObject].map((body) => post(body)));

      expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
      expect((await webhookEvents(db, tenantId)).map((e) => [e.event_type, e.status, e.external_id]).sort()).toEqual([
        ["app_deauthorized", "processed", `app_deauthorized:-:${TS(2)}`],
        ["meeting.participant_joined", "processed", `meeting.participant_joined:${meeting.uuid}:${TS(0)}`],
        ["meeting.started", "processed", `meeting.started:${otherMeeting.payload.object.uuid}:${TS(1)}`],
      ]);
      expect(await meetingOf(db, meeting.id)).toMatchObject({ status: "waiting", status_event_at: null });
    });

    it("never applies tenant A's meeting events to tenant B's meeting with the same number", async () => {
      const a = await setup();
      const b = await setup();
      const zoomMeetingId = zoomMeetingNumber();
      const meetingA = await insertMeeting(db, a.tenantId, { zoomMeetingId });
      const meetingB = await insertMeeting(db, b.tenantId, { zoomMeetingId });

      await a.post(meetingEvent("meeting.started", { id: zoomMeetingId, uuid: meetingA.uuid, eventTs: TS(0) }));

      expect((await meetingOf(db, meetingA.id)).status).toBe("started");
      expect((await meetingOf(db, meetingB.id)).status).toBe("waiting");
    });

    it("answers 503 with Retry-After when the database drops mid-apply, leaving nothing half-written", async () => {
      const lost = faultyDb(db, (text) => (text.includes("update meetings") ? new DbUnavailableError("database unavailable: ECONNRESET") : undefined));
      const { tenantId, post } = await setup({ db: lost });
      const meeting = await insertMeeting(db, tenantId);

      const res = await post(meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0) }));

      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("30");
      await expectNothingStored(tenantId);
      expect((await meetingOf(db, meeting.id)).status).toBe("waiting");
    });
  });

  describe("meeting status and recordings (forward only)", () => {
    it("moves a meeting waiting → started → ended, with when it started and ended", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);

      await post(meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0), startTime: "2026-12-01T15:00:05Z" }));
      await post(meetingEvent("meeting.ended", { id: String(meeting.zoomMeetingId), uuid: meeting.uuid, eventTs: TS(3600), endTime: "2026-12-01T16:00:01Z" }));

      expect(await meetingOf(db, meeting.id)).toMatchObject({
        status: "ended", started_at: new Date("2026-12-01T15:00:05Z"), ended_at: new Date("2026-12-01T16:00:01Z"), status_event_at: new Date(TS(3600)),
      });
    });

    it("never lets a late meeting.started overwrite ended for the same occurrence", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const started = meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0) });
      const ended = meetingEvent("meeting.ended", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(3600) });

      await post(ended);
      const res = await post(started);

      expect(res.json).toEqual({ received: 1, duplicates: 0, failed: 0 });
      expect(await meetingOf(db, meeting.id)).toMatchObject({ status: "ended", status_event_at: new Date(TS(3600)) });
      expect(await webhookEvents(db, tenantId)).toHaveLength(2);
    });

    it("starts over for a later occurrence (new uuid), and ignores a late event from the earlier one", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const nextUuid = zoomMeetingUuid();

      await post(meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0) }));
      await post(meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: nextUuid, eventTs: TS(86_400) }));
      // The first occurrence's end arrives late, after the next occurrence started.
      await post(meetingEvent("meeting.ended", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(3600) }));

      expect(await meetingOf(db, meeting.id)).toMatchObject({ status: "started", uuid: nextUuid, ended_at: null, status_event_at: new Date(TS(86_400)) });

      await post(meetingEvent("meeting.ended", { id: meeting.zoomMeetingId, uuid: nextUuid, eventTs: TS(90_000) }));
      expect(await meetingOf(db, meeting.id)).toMatchObject({ status: "ended", uuid: nextUuid });
    });

    it("converges on ended whatever the order of concurrent deliveries and duplicates", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const started = meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0) });
      const ended = meetingEvent("meeting.ended", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(3600) });

      const answers = await Promise.all([ended, started, started, ended, started].map((body) => post(body)));

      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
      expect(answers.reduce((n, a) => n + (a.json.duplicates as number), 0)).toBe(3);
      expect((await meetingOf(db, meeting.id)).status).toBe("ended");
    });

    it("leaves a deleted meeting deleted", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId, { status: "deleted" });

      await post(meetingEvent("meeting.started", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0) }));

      expect((await meetingOf(db, meeting.id)).status).toBe("deleted");
    });

    it("records recording.completed (newest kept) and stores the event without its download_token or passcodes", async () => {
      const { tenantId, post, services } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const downloadToken = `eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.${crypto.randomUUID()}.sig`;
      const event = recordingCompletedEvent({ id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(4000), downloadToken });

      const res = await post(event);
      await post(recordingCompletedEvent({ id: meeting.zoomMeetingId, uuid: zoomMeetingUuid(), eventTs: TS(100) }));

      expect(res.status).toBe(200);
      expect(await meetingOf(db, meeting.id)).toMatchObject({ status: "waiting", recording_status: "completed", recording_completed_at: new Date(TS(4000)) });
      const [stored] = (await webhookEvents(db, tenantId)).filter((e) => e.external_id === `recording.completed:${meeting.uuid}:${TS(4000)}`);
      expect(stored!.payload.download_token).toBe("[redacted]");
      expect(stored!.payload.payload.object).toMatchObject({ password: "[redacted]", recording_play_passcode: "[redacted]", recording_count: 1 });
      expect(stored!.payload.payload.object.recording_files).toEqual(event.payload.object.recording_files);
      const everything = JSON.stringify(await db.query("select payload from webhook_events where tenant_id = $1", [tenantId])) + services.logs.lines.join("\n");
      for (const secret of [downloadToken, "Xy7!pQ", "RpPasscode123"]) expect(everything).not.toContain(secret);
    });

    it("re-applies a stored event through WEBHOOK_EFFECTS.zoom (retry job, replay) exactly like a delivery", async () => {
      expect(await WEBHOOK_EFFECTS.zoom!()).toBe(effectOf);
      const { tenantId } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      // As the retry job reads it back: the stored (redacted) payload.
      const [stored] = [recordingCompletedEvent({ id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(0) })].map((e) => ({ ...e, download_token: "[redacted]" }));
      const incoming = { externalId: `recording.completed:${meeting.uuid}:${TS(0)}`, eventType: "recording.completed", payload: stored };

      const { outcome } = await recordAndApply(db, tenantId, "zoom", incoming, effectOf);

      expect(outcome).toBe("processed");
      expect((await meetingOf(db, meeting.id)).recording_status).toBe("completed");
    });
  });

  describe("attendance (meeting.participant_joined / meeting.participant_left → meeting_participants)", () => {
    type ParticipantRow = { participant_id: string; meeting_uuid: string; user_name: string | null; email: string | null; join_time: Date | null; leave_time: Date | null; updated_at: Date };
    const participantsOf = (meetingId: string) => db.query<ParticipantRow>(
      `select participant_id, meeting_uuid, user_name, email, join_time, leave_time, updated_at from meeting_participants
        where meeting_id = $1 order by join_time nulls last, participant_id`, [meetingId]);

    it("keeps one row per participant and join, with when each joined and left", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const at = { id: meeting.zoomMeetingId, uuid: meeting.uuid };

      const answers = [
        await post(participantEvent("meeting.participant_joined", { ...at, eventTs: TS(60), userId: "16778240", at: "2026-12-01T15:01:00Z" })),
        // Another student joining in the same millisecond is another event, not a duplicate.
        await post(participantEvent("meeting.participant_joined", { ...at, eventTs: TS(60), userId: "16779264", at: "2026-12-01T15:01:00Z", userName: "Grace", email: "Grace@Family.example", participantUuid: "other" })),
        await post(participantEvent("meeting.participant_left", { ...at, eventTs: TS(1200), userId: "16778240", at: "2026-12-01T15:20:00Z" })),
        // Ada comes back: Zoom gives the new join its own user_id.
        await post(participantEvent("meeting.participant_joined", { ...at, eventTs: TS(1500), userId: "16780288", at: "2026-12-01T15:25:00Z" })),
      ];

      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
      expect((await participantsOf(meeting.id)).map((r) => [r.participant_id, r.user_name, r.email, r.join_time, r.leave_time])).toEqual([
        ["16778240", "Ada Lovelace", "ada@family.example", new Date("2026-12-01T15:01:00Z"), new Date("2026-12-01T15:20:00Z")],
        ["16779264", "Grace", "grace@family.example", new Date("2026-12-01T15:01:00Z"), null],
        ["16780288", "Ada Lovelace", "ada@family.example", new Date("2026-12-01T15:25:00Z"), null],
      ]);
      expect((await webhookEvents(db, tenantId)).map((e) => e.status)).toEqual(["processed", "processed", "processed", "processed"]);
    });

    it("ends a join right when its leave arrives first, and a duplicate or a replayed join changes nothing", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const at = { id: meeting.zoomMeetingId, uuid: meeting.uuid, userId: "16778240" };
      const left = participantEvent("meeting.participant_left", { ...at, eventTs: TS(1200), at: "2026-12-01T15:20:00Z" });
      const joined = participantEvent("meeting.participant_joined", { ...at, eventTs: TS(60), at: "2026-12-01T15:01:00Z" });

      await post(left);
      await post(joined);
      const [settled] = await participantsOf(meeting.id);
      await post(joined);
      await post(left);
      // The same join re-sent by Zoom with another event_ts (a new event) still changes nothing.
      await post({ ...joined, event_ts: TS(70), payload: { ...joined.payload, object: { ...joined.payload.object, participant: { ...joined.payload.object.participant, join_time: "2026-12-01T15:09:00Z" } } } });

      const rows = await participantsOf(meeting.id);
      expect(rows).toEqual([settled]);
      expect([settled!.join_time, settled!.leave_time]).toEqual([new Date("2026-12-01T15:01:00Z"), new Date("2026-12-01T15:20:00Z")]);
    });

    it("takes a numeric user_id as its digits, for the attendance row and for telling same-millisecond joins apart", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      // Today's events send user_id as a string (tests/support/zoom.ts); a number must name the same join.
      const numeric = (userId: number, at: string) => {
        const event = participantEvent("meeting.participant_joined", { id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(60), userId: "0", at });
        return { ...event, payload: { ...event.payload, object: { ...event.payload.object, participant: { ...event.payload.object.participant, user_id: userId } } } };
      };

      await post(numeric(16778240, "2026-12-01T15:01:00Z"));
      await post(numeric(16779264, "2026-12-01T15:01:00Z"));

      expect((await participantsOf(meeting.id)).map((r) => r.participant_id)).toEqual(["16778240", "16779264"]);
      expect((await webhookEvents(db, tenantId)).map((e) => [e.external_id, e.status])).toEqual([
        [`meeting.participant_joined:${meeting.uuid}:16778240:${TS(60)}`, "processed"],
        [`meeting.participant_joined:${meeting.uuid}:16779264:${TS(60)}`, "processed"],
      ]);
    });

    it("records nothing for a meeting this school did not create here, or another school's meeting with the same number", async () => {
      const mine = await setup();
      const theirs = await setup();
      const their = await insertMeeting(db, theirs.tenantId);

      await mine.post(participantEvent("meeting.participant_joined", { id: their.zoomMeetingId, uuid: their.uuid, eventTs: TS(1), userId: "1", at: "2026-12-01T15:01:00Z" }));
      await mine.post(participantEvent("meeting.participant_joined", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(2), userId: "1", at: "2026-12-01T15:01:00Z" }));

      expect(await participantsOf(their.id)).toEqual([]);
      expect(await db.query("select 1 from meeting_participants where tenant_id = $1", [mine.tenantId])).toEqual([]);
      expect((await webhookEvents(db, mine.tenantId)).map((e) => e.status)).toEqual(["processed", "processed"]);
    });
  });

  describe("recordings (recording.completed → meeting_recordings)", () => {
    it("keeps each file's type, size and play URL — never the download URL or token — once per file", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);
      const event = recordingCompletedEvent({ id: meeting.zoomMeetingId, uuid: meeting.uuid, eventTs: TS(4000) });

      await post(event);
      await post({ ...event, event_ts: TS(4100) });

      const rows = await db.query("select * from meeting_recordings where meeting_id = $1", [meeting.id]);
      expect(rows).toEqual([expect.objectContaining({
        tenant_id: tenantId, meeting_uuid: meeting.uuid, file_id: "ed6c2f27-2ae7-42f4-b3d0-835b493e4fa8", file_type: "MP4",
        play_url: "https://example.zoom.us/rec/play/AbCdEf", recording_type: "shared_screen_with_speaker_view", status: "completed",
        recording_start: new Date("2026-12-01T15:00:10Z"), recording_end: new Date("2026-12-01T15:58:00Z"),
      })]);
      // bigint: a string on postgres.js, a number or bigint on PGlite.
      expect(Number(rows[0]!.file_size)).toBe(52_428_800);
      const text = JSON.stringify(rows, (_k, v) => (typeof v === "bigint" ? String(v) : v));
      expect(text).not.toContain("download");
      expect(text).not.toContain(event.download_token);
    });
  });

  describe("changes made in Zoom itself (meeting.updated, meeting.deleted)", () => {
    type Changed = { topic: string; start_time: Date; duration: number; timezone: string; auto_recording: string; status: string; deleted_at: Date | null };
    const changedOf = async (id: string) => (await db.query<Changed>(
      "select topic, start_time, duration, timezone, auto_recording, status, deleted_at from meetings where id = $1", [id]))[0]!;

    it("applies the changed fields of meeting.updated, and ignores an older update delivered late", async () => {
      const { tenantId, post } = await setup();
      const meeting = await insertMeeting(db, tenantId);

      await post(meetingUpdatedEvent({
        id: meeting.zoomMeetingId, eventTs: TS(100),
        object: { topic: "Algebra I (moved)", start_time: "2026-12-02T16:00:00Z", duration: 90, settings: { auto_recording: "local" } },
        oldObject: { topic: "Algebra I", start_time: "2026-12-01T15:00:00Z", duration: 60 },
      }));
      await post(meetingUpdatedEvent({ id: meeting.zoomMeetingId, eventTs: TS(50), object: { topic: "Stale title" } }));

      expect(await changedOf(meeting.id)).toMatchObject({
        topic: "Algebra I (moved)", start_time: new Date("2026-12-02T16:00:00Z"), duration: 90, timezone: "America/New_York", auto_recording: "local", status: "waiting",
      });
    });

    it("marks the meeting deleted on meeting.deleted, but keeps a series when one occurrence is deleted", async () => {
      const { tenantId, post } = await setup();
      const series = await insertMeeting(db, tenantId);
      const single = await insertMeeting(db, tenantId);

      await post(meetingDeletedEvent({ id: series.zoomMeetingId, uuid: series.uuid, eventTs: TS(10), occurrences: [{ occurrence_id: "1764601200000", start_time: "2026-12-01T15:00:00Z" }] }));
      await post(meetingDeletedEvent({ id: single.zoomMeetingId, uuid: single.uuid, eventTs: TS(20) }));
      // Deleted is final: a late update changes nothing.
      await post(meetingUpdatedEvent({ id: single.zoomMeetingId, eventTs: TS(30), object: { topic: "Revived?" } }));

      expect((await changedOf(series.id)).status).toBe("waiting");
      expect(await changedOf(single.id)).toMatchObject({ status: "deleted", deleted_at: expect.any(Date), topic: "Algebra I" });
    });
  });
});

describe("zoom-webhook single-tenant route (/api/webhooks/zoom, no tenant id)", () => {
  // A database of its own: the shared one has many tenants with Zoom enabled.
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase("pglite");
  });
  afterAll(async () => {
    await db?.close();
  });

  it("answers 404 while no tenant has Zoom enabled, then serves the only one that has (validation and events)", async () => {
    const services = await testServices(db, { now: () => NOW_MS });
    const secretToken = uniqueToken();
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "zoom", { webhookSecretToken: secretToken }, { enabled: false });
    const validation = urlValidationEvent("single-school", NOW_MS);

    expect((await deliver(services, undefined, validation, { secretToken })).status).toBe(404);

    await configureIntegration(services, tenantId, "zoom", { webhookSecretToken: secretToken }, { enabled: true });
    const answer = await deliver(services, undefined, validation, { secretToken });
    const event = await deliver(services, undefined, meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: TS(0) }), { secretToken });
    const forged = await deliver(services, undefined, validation, { secretToken: uniqueToken() });

    expect(answer.json).toEqual({ plainToken: "single-school", encryptedToken: zoomEncryptedToken("single-school", secretToken) });
    expect(event.status).toBe(200);
    expect(forged.status).toBe(401);
    expect(await webhookEvents(db, tenantId)).toHaveLength(1);

    // A second school enabling Zoom makes the tenant-less route ambiguous.
    const second = await createTenant(db);
    await configureIntegration(services, second, "zoom", { webhookSecretToken: uniqueToken() });
    expect((await deliver(services, undefined, validation, { secretToken })).status).toBe(404);
  });
});
