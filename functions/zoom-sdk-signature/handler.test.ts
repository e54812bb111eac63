import { createHmac } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { DbPool } from "../_shared/db/port.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { zoomMeetingNumber, zoomMeetingUuid } from "../../tests/support/zoom.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

const NOW_MS = 1_790_000_000_000;
const NOW = NOW_MS / 1000;

interface Answer {
  status: number;
  text: string;
  json: Record<string, any>;
  headers: Headers;
}

async function call(services: TestServices, body: unknown, options: { token?: string; method?: string } = {}): Promise<Answer> {
  const headers = new Headers({ "content-type": "application/json" });
  if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const method = options.method ?? "POST";
  const res = await handler(new Request("https://ips.example.test/api/zoom/sdk-signature", {
    method, headers, ...(method === "POST" && body !== undefined ? { body: JSON.stringify(body) } : {}),
  }), contextFor(services));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // not JSON
  }
  return { status: res.status, text, json, headers: res.headers };
}

/** Checks an HS256 JWT with Node's crypto (not jose, not the code under test) and returns its header and payload. */
function verifiedJwt(token: string, secret: string): { header: Record<string, unknown>; payload: Record<string, unknown> } {
  const [header, payload, signature] = token.split(".");
  const expected = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  expect(signature).toBe(expected);
  const decode = (part: string) => JSON.parse(Buffer.from(part, "base64url").toString("utf8")) as Record<string, unknown>;
  return { header: decode(header!), payload: decode(payload!) };
}

describe.each(ADAPTERS)("zoom-sdk-signature on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  /** A school with Zoom and its Meeting SDK app, one of its meetings, a student and an admin. */
  async function setup(options: { enabled?: boolean; sdk?: boolean } = {}) {
    const services = await testServices(db, { now: () => NOW_MS });
    const sdkKey = `sdkkey_${crypto.randomUUID().replaceAll("-", "").slice(0, 20)}`;
    const sdkSecret = `sdksecret_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, "zoom", {
      webhookSecretToken: "zmtoken_0123456789abcdef", ...(options.sdk ?? true ? { sdkKey, sdkSecret } : {}),
    }, { enabled: options.enabled ?? true });
    const meetingNumber = zoomMeetingNumber();
    await db.query(
      `insert into meetings (tenant_id, zoom_meeting_id, uuid, type, topic, auto_recording, join_url)
       values ($1, $2, $3, 1, 'Office hours', 'none', 'https://us05web.zoom.us/j/1')`, [tenantId, meetingNumber, zoomMeetingUuid()]);
    const student = await signToken({ tenantId });
    const admin = await adminToken(tenantId);
    const expectNoSecret = (...answers: Answer[]) => {
      for (const answer of answers) expect(answer.text).not.toContain(sdkSecret);
      expect(services.logs.lines.join("\n")).not.toContain(sdkSecret);
    };
    return { services, tenantId, sdkKey, sdkSecret, meetingNumber, student, admin, expectNoSecret };
  }

  it("signs role 0 for any signed-in user of the tenant: HS256 with the SDK secret, Zoom's payload, 2 h by default", async () => {
    const { services, sdkKey, sdkSecret, meetingNumber, student, expectNoSecret } = await setup();

    const res = await call(services, { meetingNumber: String(meetingNumber), role: 0 }, { token: student });

    expect(res.status).toBe(200);
    const iat = NOW - 30;
    expect(res.json).toEqual({
      signature: expect.any(String), sdkKey, meetingNumber: String(meetingNumber), role: 0, expiresAt: new Date((iat + 7200) * 1000).toISOString(),
    });
    const { header, payload } = verifiedJwt(res.json.signature, sdkSecret);
    expect(header).toEqual({ alg: "HS256", typ: "JWT" });
    expect(payload).toEqual({ appKey: sdkKey, sdkKey, mn: String(meetingNumber), role: 0, iat, exp: iat + 7200, tokenExp: iat + 7200 });
    expectNoSecret(res);
  });

  it("signs role 1 (host) for an admin, and refuses it to anyone else with 403", async () => {
    const { services, sdkSecret, meetingNumber, student, admin } = await setup();

    const host = await call(services, { meetingNumber, role: 1 }, { token: admin });
    const refused = await call(services, { meetingNumber, role: 1 }, { token: student });

    expect(host.status).toBe(200);
    expect(verifiedJwt(host.json.signature, sdkSecret).payload).toMatchObject({ role: 1, mn: String(meetingNumber) });
    expect(refused.status).toBe(403);
    expect(refused.json.code).toBe("ERR_ZOOM_HOST_ROLE");
  });

  it("takes a lifetime between 1800 s and 48 h", async () => {
    const { services, sdkSecret, meetingNumber, student } = await setup();

    for (const seconds of [1800, 172_800]) {
      const res = await call(services, { meetingNumber, role: 0, expirationSeconds: seconds }, { token: student });
      expect(res.status).toBe(200);
      const { payload } = verifiedJwt(res.json.signature, sdkSecret);
      expect([(payload.exp as number) - (payload.iat as number), payload.tokenExp]).toEqual([seconds, payload.exp]);
    }
  });

  it.each([
    ["no body", undefined, "(body)"],
    ["no meetingNumber", { role: 0 }, "meetingNumber"],
    ["a meetingNumber that is not digits", { meetingNumber: "85746-065432", role: 0 }, "meetingNumber"],
    ["a meetingNumber too short", { meetingNumber: "12345", role: 0 }, "meetingNumber"],
    ["a negative meetingNumber", { meetingNumber: -857_460_654, role: 0 }, "meetingNumber"],
    ["no role", { meetingNumber: "857460654321" }, "role"],
    ["role 2", { meetingNumber: "857460654321", role: 2 }, "role"],
    ["role as text", { meetingNumber: "857460654321", role: "0" }, "role"],
    ["a lifetime under 30 minutes", { meetingNumber: "857460654321", role: 0, expirationSeconds: 1799 }, "expirationSeconds"],
    ["a lifetime over 48 hours", { meetingNumber: "857460654321", role: 0, expirationSeconds: 172_801 }, "expirationSeconds"],
    ["a fractional lifetime", { meetingNumber: "857460654321", role: 0, expirationSeconds: 3600.5 }, "expirationSeconds"],
    ["an unknown field", { meetingNumber: "857460654321", role: 0, sdkSecret: "x" }, "sdkSecret"],
  ])("answers 400 to %s", async (_name, body, field) => {
    const { services, student } = await setup();
    const res = await call(services, body, { token: student });

    expect(res.status).toBe(400);
    expect(Object.keys(res.json.errors)).toEqual([field]);
  });

  it("answers 404 for a meeting that is not this school's, or was deleted", async () => {
    const mine = await setup();
    const theirs = await setup();
    await db.query("update meetings set status = 'deleted', status_rank = 3 where tenant_id = $1", [mine.tenantId]);

    const other = await call(mine.services, { meetingNumber: theirs.meetingNumber, role: 0 }, { token: mine.student });
    const deleted = await call(mine.services, { meetingNumber: mine.meetingNumber, role: 0 }, { token: mine.admin });

    expect([other.status, deleted.status]).toEqual([404, 404]);
    expect(other.json.code).toBe("ERR_MEETING_NOT_FOUND");
  });

  it("answers 409 when Zoom is disabled or has no Meeting SDK key and secret", async () => {
    const disabled = await setup({ enabled: false });
    const noSdk = await setup({ sdk: false });

    const a = await call(disabled.services, { meetingNumber: disabled.meetingNumber, role: 0 }, { token: disabled.student });
    const b = await call(noSdk.services, { meetingNumber: noSdk.meetingNumber, role: 0 }, { token: noSdk.student });

    expect([a.status, a.json.code]).toEqual([409, "ERR_ZOOM_NOT_ENABLED"]);
    expect([b.status, b.json.code]).toEqual([409, "ERR_ZOOM_NO_SDK_CREDENTIALS"]);
  });

  it("answers 401 without a valid token, 403 to a token without a tenant or for an unknown one, 405 to GET", async () => {
    const { services, meetingNumber, tenantId } = await setup();
    const noTenant = await signToken({});
    const expired = await signToken({ tenantId: crypto.randomUUID(), expiresIn: -10 });

    expect((await call(services, { meetingNumber, role: 0 })).status).toBe(401);
    expect((await call(services, { meetingNumber, role: 0 }, { token: expired })).status).toBe(401);
    expect((await call(services, { meetingNumber, role: 0 }, { token: noTenant })).status).toBe(403);
    const unknownTenant = await call(services, { meetingNumber, role: 0 }, { token: await signToken({ tenantId: crypto.randomUUID() }) });
    expect([unknownTenant.status, unknownTenant.json.code]).toEqual([403, "ERR_AUTH_TENANT"]);
    const get = await call(services, undefined, { token: await signToken({ tenantId }), method: "GET" });
    expect([get.status, get.headers.get("allow")]).toEqual([405, "POST"]);
  });
});
