import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { contextFor, TEST_JWT_SECRET, testServices } from "../../../tests/support/services.ts";
import { serviceRoleToken as serviceRoleKey } from "../../../tests/support/service-role.ts";
import { adminToken } from "../../../tests/support/tokens.ts";
import type { Db } from "../db/port.ts";
import { jobHandler } from "./job-handler.ts";
import { ProblemError } from "./problem-error.ts";

// The job plumbing needs no database: a Db that fails if touched proves the auth check comes first.
const untouchedDb: Db = {
  query: () => Promise.reject(new Error("no database in this test")),
  transaction: () => Promise.reject(new Error("no database in this test")),
  execScript: () => Promise.reject(new Error("no database in this test")),
};

const serviceRoleToken = (secret = TEST_JWT_SECRET, role = "service_role") =>
  new SignJWT({ role, iss: "supabase" }).setProtectedHeader({ alg: "HS256" }).setIssuedAt().setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));

async function run(job: Parameters<typeof jobHandler>[1], init: { token?: string; scheduled?: boolean } = {}) {
  const services = await testServices(untouchedDb);
  let runs = 0;
  const handler = jobHandler("test-job", async (ctx) => (runs++, job(ctx)));
  const headers = init.token ? { authorization: `Bearer ${init.token}` } : undefined;
  const ctx = { ...contextFor(services), ...(init.scheduled ? { trigger: "schedule" as const } : {}) };
  const res = await handler(new Request("http://localhost/api/jobs/test-job", { method: "POST", headers }), ctx);
  return { status: res.status, body: await res.json(), runs: () => runs, logs: services.logs.lines };
}

describe("jobHandler", () => {
  it("runs the job for a service_role key and answers its summary", async () => {
    const result = await run(async () => ({ sent: 3, failed: 1 }), { token: await serviceRoleToken() });
    expect(result).toMatchObject({ status: 200, body: { sent: 3, failed: 1 } });
    expect(result.logs.some((l) => l.includes('"msg":"job finished"') && l.includes('"sent":3'))).toBe(true);
  });

  it("runs on its schedule without a key (ctx.trigger, which only a runtime sets)", async () => {
    const result = await run(async () => ({ retried: 0 }), { scheduled: true });
    expect(result).toMatchObject({ status: 200, body: { retried: 0 } });
  });

  it.each([
    ["no token", undefined, 401],
    ["a token signed with another secret", "forged", 401],
  ])("refuses %s (401) without running the job", async (_, kind, status) => {
    const token = kind === "forged" ? await serviceRoleToken("another-secret-that-is-at-least-32-chars") : undefined;
    const result = await run(async () => ({}), token ? { token } : {});
    expect(result.status).toBe(status);
    expect(result.runs()).toBe(0);
  });

  it("refuses a service_role key without exp (401): a key that never expires is not accepted", async () => {
    const result = await run(async () => ({}), { token: await serviceRoleKey(TEST_JWT_SECRET, { expiresIn: null }) });
    expect(result).toMatchObject({ status: 401, body: { code: "ERR_AUTH_INVALID", detail: "token has no valid expiry (exp)" } });
    expect(result.runs()).toBe(0);
  });

  it("refuses an expired service_role key (401)", async () => {
    const result = await run(async () => ({}), { token: await serviceRoleKey(TEST_JWT_SECRET, { expiresIn: Math.floor(Date.now() / 1000) - 60 }) });
    expect(result).toMatchObject({ status: 401, body: { detail: "token expired" } });
    expect(result.runs()).toBe(0);
  });

  it("refuses an admin's token and any other role (403): jobs are the platform's", async () => {
    for (const token of [await adminToken(crypto.randomUUID()), await serviceRoleToken(TEST_JWT_SECRET, "authenticated")]) {
      const result = await run(async () => ({}), { token });
      expect(result.status).toBe(403);
      expect(result.runs()).toBe(0);
    }
  });

  it("answers a job's known failure as a problem, and an unknown one as a 500 without details", async () => {
    const known = await run(async () => {
      throw new ProblemError({ status: 409, title: "Nothing to do", code: "ERR_TEST" });
    }, { scheduled: true });
    expect(known).toMatchObject({ status: 409, body: { code: "ERR_TEST" } });
    const unknown = await run(async () => {
      throw new Error("secret-looking detail sk_live_123");
    }, { scheduled: true });
    expect(unknown.status).toBe(500);
    expect(JSON.stringify(unknown.body) + unknown.logs.join("\n")).not.toContain("sk_live_123");
  });
});
