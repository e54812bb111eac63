// The token rules every token-authenticated function shares (principalHandler, the verifier, the service_role
// check), through real functions: `exp` on every token, `aud = "authenticated"` on user and admin tokens, and
// a valid token for a tenant that does not exist → 403, never a 500, with nothing written.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { handler as adminIntegrations } from "../functions/admin-integrations/handler.ts";
import { handler as emails } from "../functions/emails/handler.ts";
import { handler as sdkSignature } from "../functions/zoom-sdk-signature/handler.ts";
import { callHandler } from "./support/admin-request.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { serviceRoleToken } from "./support/service-role.ts";
import { testServices } from "./support/services.ts";
import { createTenant } from "./support/tenants.ts";
import { signToken } from "./support/tokens.ts";

const HOUR_AGO = () => Math.floor(Date.now() / 1000) - 3600;

describe.each(ADAPTERS)("token rules on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  const listIntegrations = async (token: string) =>
    callHandler(adminIntegrations, await testServices(db), { method: "GET", path: "/api/admin/integrations", token });
  const joinMeeting = async (token: string) =>
    callHandler(sdkSignature, await testServices(db), { method: "POST", path: "/api/zoom/sdk-signature", token, body: { meetingId: "0b9cbd1e-5d43-4c55-9a0e-2f1d5c7e8a90", role: 0 } });

  it.each([
    ["without exp", { expiresIn: null }, "token has no valid expiry (exp)"],
    ["expired", { expiresIn: HOUR_AGO() }, "token expired"],
    ["without aud", { aud: null }, 'token audience (aud) must be "authenticated"'],
    ["with aud anon", { aud: "anon" }, 'token audience (aud) must be "authenticated"'],
  ] as const)("refuses an admin token and a user token %s: 401, with the reason", async (_, claims, detail) => {
    const tenantId = await createTenant(db);
    const admin = await listIntegrations(await signToken({ tenantId, role: "admin", ...claims }));
    const user = await joinMeeting(await signToken({ tenantId, ...claims }));
    for (const answer of [admin, user]) {
      expect(answer.status, answer.text).toBe(401);
      expect(answer.json).toMatchObject({ code: "ERR_AUTH_INVALID", detail });
    }
  });

  it("lets the same tokens in once they carry exp and aud = authenticated", async () => {
    const tenantId = await createTenant(db);
    expect((await listIntegrations(await signToken({ tenantId, role: "admin" }))).status).toBe(200);
    // Past authentication: the school simply has no Zoom yet.
    expect((await joinMeeting(await signToken({ tenantId }))).json.code).toBe("ERR_ZOOM_NOT_ENABLED");
  });

  it("answers 403 ERR_AUTH_TENANT, never 500, to a valid token whose tenant does not exist, and writes nothing", async () => {
    const ghost = crypto.randomUUID();
    const services = await testServices(db);
    const admin = await signToken({ tenantId: ghost, role: "admin" });
    const answers = [
      await listIntegrations(admin),
      await callHandler(adminIntegrations, services, {
        method: "PUT", path: "/api/admin/integrations/stripe", token: admin, params: { key: "stripe" },
        body: { enabled: false, credentials: { secretKey: "sk_test_51Ghost0000000000000000000" }, settings: {} },
      }),
      await joinMeeting(await signToken({ tenantId: ghost })),
    ];
    for (const answer of answers) {
      expect(answer.status, answer.text).toBe(403);
      expect(answer.json).toMatchObject({ code: "ERR_AUTH_TENANT", detail: "the token's tenant does not exist" });
    }
    const [written] = await db.query<{ n: number }>(
      "select (select count(*) from integrations where tenant_id = $1)::int + (select count(*) from audit_log where tenant_id = $1)::int as n", [ghost]);
    expect(written!.n).toBe(0);
    expect(services.logs.lines.some((line) => line.includes('"level":"error"'))).toBe(false);
  });

  it("refuses a service_role key without exp (401) and accepts one with it", async () => {
    const services = await testServices(db);
    const enqueue = async (token: string) => callHandler(emails, services, {
      method: "POST", path: "/api/emails", token, body: { tenantId: crypto.randomUUID(), kind: "welcome", to: { email: "p@example.com" } },
    });
    const withoutExp = await enqueue(await serviceRoleToken(undefined, { expiresIn: null }));
    expect([withoutExp.status, withoutExp.json.detail]).toEqual([401, "token has no valid expiry (exp)"]);
    const expired = await enqueue(await serviceRoleToken(undefined, { expiresIn: HOUR_AGO() }));
    expect([expired.status, expired.json.detail]).toEqual([401, "token expired"]);
    // A service_role key needs no audience: past authentication, the unknown school is the handler's own 404.
    const valid = await enqueue(await serviceRoleToken());
    expect([valid.status, valid.json.code]).toEqual([404, "ERR_TENANT_NOT_FOUND"]);
  });
});
