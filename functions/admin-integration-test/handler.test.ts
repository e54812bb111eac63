import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { callHandler } from "../../tests/support/admin-request.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { testServices } from "../../tests/support/services.ts";
import { STRIPE_API } from "../../tests/support/stripe-api.ts";
import { stripeBalanceApi } from "../../tests/support/stripe-balance.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { signToken } from "../../tests/support/tokens.ts";
import type { Services } from "../_shared/context.ts";
import type { Db, DbPool } from "../_shared/db/port.ts";
import { loadIntegration } from "../_shared/integrations/store.ts";
import type { ConnectionTester } from "../_shared/providers/connection-test.ts";
import { createIntegrationTestHandler, handler } from "./handler.ts";

const rand = (n = 24) => crypto.randomUUID().replaceAll("-", "").slice(0, n);
const stripeKeys = () => ({ secretKey: `sk_test_${rand(32)}`, publishableKey: `pk_test_${rand(32)}`, webhookSecret: `whsec_${rand(32)}` });

// What Stripe accepts in this file: keys are added per test.
const valid: string[] = [];
const restricted: string[] = [];
const balance = stripeBalanceApi({ validKeys: () => valid, restrictedKeys: () => restricted });
const server = setupServer(...balance.handlers);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  balance.calls.length = 0;
});
afterAll(() => server.close());

type IntegrationRow = { last_test_at: Date | null; last_test_ok: boolean | null; last_test_error: string | null; is_enabled: boolean; credentials: unknown };
const integrationRow = async (db: Db, tenantId: string, key = "stripe") =>
  (await db.query<IntegrationRow>(
    "select last_test_at, last_test_ok, last_test_error, is_enabled, credentials from integrations where tenant_id = $1 and integration_key = $2",
    [tenantId, key]))[0];
const auditRows = (db: Db, tenantId: string) =>
  db.query<{ actor: string; action: string; target: string; details: Record<string, any> }>(
    "select actor, action, target, details from audit_log where tenant_id = $1 and action = 'integration.tested' order by id", [tenantId]);

describe.each(ADAPTERS)("admin-integration-test on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup(options: { now?: () => number } = {}) {
    const services = await testServices(db, options);
    const tenantId = await createTenant(db);
    const userId = crypto.randomUUID();
    const token = await signToken({ sub: userId, tenantId, role: "admin" });
    const test = (key: string, body?: unknown, extra: { raw?: string; token?: string; method?: string; services?: Services } = {}) =>
      callHandler(createIntegrationTestHandler(), extra.services ?? services, {
        method: extra.method ?? "POST", path: `/api/admin/integrations/${key}/test`, token: extra.token ?? token,
        params: { key }, ...(body !== undefined ? { body } : {}), ...(extra.raw !== undefined ? { raw: extra.raw } : {}),
      });
    return { services, tenantId, userId, token, test };
  }

  describe("Stripe (GET /v1/balance)", () => {
    it("tests the stored credentials when the body is empty, and records the success on the integration and in audit_log", async () => {
      const now = Date.UTC(2026, 10, 26, 12, 0, 0);
      const { services, tenantId, userId, test } = await setup({ now: () => now });
      const keys = stripeKeys();
      valid.push(keys.secretKey);
      await configureIntegration(services, tenantId, "stripe", keys, { enabled: false });

      const res = await test("stripe");

      expect(res.status, res.text).toBe(200);
      expect(res.json).toEqual({
        ok: true, details: { livemode: false, currencies: ["usd", "eur"] }, testedAt: new Date(now).toISOString(),
      });
      expect(balance.calls).toEqual([{ authorization: `Bearer ${keys.secretKey}` }]);
      expect(await integrationRow(db, tenantId)).toMatchObject({ last_test_at: new Date(now), last_test_ok: true, last_test_error: null, is_enabled: false });
      expect(await auditRows(db, tenantId)).toEqual([
        { actor: userId, action: "integration.tested", target: "stripe", details: { ok: true, credentials: "stored" } },
      ]);
      for (const secret of Object.values(keys)) {
        expect(res.text).not.toContain(secret);
        expect(services.logs.lines.join("\n")).not.toContain(secret);
      }
    });

    it("tests credentials from the body over the stored ones, without saving or enabling anything", async () => {
      const { services, tenantId, test } = await setup();
      const stored = stripeKeys();
      await configureIntegration(services, tenantId, "stripe", stored, { enabled: false });
      const [before] = await db.query<{ credentials: unknown; updated_at: Date }>("select credentials, updated_at from integrations where tenant_id = $1", [tenantId]);
      const fresh = `sk_test_${rand(32)}`;
      valid.push(fresh);

      const res = await test("stripe", { credentials: { secretKey: `  ${fresh}\n` } });

      expect(res.status, res.text).toBe(200);
      expect(res.json.ok).toBe(true);
      expect(balance.calls).toEqual([{ authorization: `Bearer ${fresh}` }]);
      const [after] = await db.query<{ credentials: unknown; updated_at: Date; is_enabled: boolean }>("select credentials, updated_at, is_enabled from integrations where tenant_id = $1", [tenantId]);
      expect(after).toEqual({ credentials: before!.credentials, updated_at: before!.updated_at, is_enabled: false });
      expect((await loadIntegration(db, services.vault, tenantId, "stripe"))!.credentials).toEqual(stored);
      expect((await auditRows(db, tenantId))[0]!.details).toEqual({ ok: true, credentials: { fromRequest: ["secretKey"] } });
      expect(res.text).not.toContain(fresh);
    });

    it("tests credentials of an integration never saved: its row is created disabled, holding only the outcome", async () => {
      const { services, tenantId, test } = await setup();
      const fresh = `sk_test_${rand(32)}`;
      valid.push(fresh);

      const res = await test("stripe", { credentials: { secretKey: fresh } });

      expect(res.status).toBe(200);
      expect(res.json.ok).toBe(true);
      expect(await integrationRow(db, tenantId)).toMatchObject({ is_enabled: false, credentials: null, last_test_ok: true });
      expect(await loadIntegration(db, services.vault, tenantId, "stripe")).toMatchObject({ enabled: false, credentials: {}, settings: {} });
      expect(await auditRows(db, tenantId)).toHaveLength(1);
    });

    it("answers ok:false in plain words when Stripe rejects the key (401), recording the failure", async () => {
      const { services, tenantId, test } = await setup();
      const keys = stripeKeys();
      await configureIntegration(services, tenantId, "stripe", keys);

      const res = await test("stripe");

      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ ok: false, error: "Stripe rejected the secret key (invalid or revoked)" });
      expect(await integrationRow(db, tenantId)).toMatchObject({ last_test_ok: false, last_test_error: "Stripe rejected the secret key (invalid or revoked)" });
      expect((await auditRows(db, tenantId))[0]!.details).toMatchObject({ ok: false, error: "Stripe rejected the secret key (invalid or revoked)" });
      // Stripe's own message quotes part of the key: none of it reaches the answer, the row or the log.
      const everything = [res.text, JSON.stringify(await integrationRow(db, tenantId)), JSON.stringify(await auditRows(db, tenantId)), services.logs.lines.join("\n")].join("\n");
      expect(everything).not.toContain(keys.secretKey);
    });

    it("says which permission a restricted key lacks (403)", async () => {
      const { services, tenantId, test } = await setup();
      const key = `rk_test_${rand(32)}`;
      restricted.push(key);
      await configureIntegration(services, tenantId, "stripe", { secretKey: key });

      const res = await test("stripe");

      expect(res.json).toMatchObject({ ok: false, error: expect.stringContaining("Balance: read") });
      expect(res.text).not.toContain(key);
    });

    it("reports Stripe unreachable (a network error, after the SDK's one retry)", async () => {
      const { services, tenantId, test } = await setup();
      await configureIntegration(services, tenantId, "stripe", stripeKeys());
      server.use(http.get(`${STRIPE_API}/v1/balance`, () => HttpResponse.error()));

      const res = await test("stripe");

      expect(res.json).toMatchObject({ ok: false, error: "Stripe could not be reached", code: "connection_error" });
    });

    it("leaves out a stored credential sent as null, and a setting sent as null, as a save would", async () => {
      const { services, tenantId, test } = await setup();
      await configureIntegration(services, tenantId, "stripe", stripeKeys(), { settings: { currency: "eur", tuitionPriceId: "price_1" } });

      const res = await test("stripe", { credentials: { secretKey: null }, settings: { tuitionPriceId: null, enrollmentFeeAmount: 100 } });

      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ ok: false, code: "missing_secret_key" });
      expect(balance.calls).toEqual([]);
      expect((await loadIntegration(db, services.vault, tenantId, "stripe"))!.credentials.secretKey).toMatch(/^sk_test_/);
    });

    it("answers ok:false without calling Stripe when no secret key is stored or given", async () => {
      const { test } = await setup();

      const res = await test("stripe");

      expect(res.json).toMatchObject({ ok: false, code: "missing_secret_key" });
      expect(balance.calls).toEqual([]);
    });
  });

  describe("input", () => {
    it.each([
      ["a secretKey that is not a Stripe key", { credentials: { secretKey: "pk_test_publishable" } }, "credentials.secretKey"],
      ["an unknown credential", { credentials: { password: "hunter2" } }, "credentials.password"],
      ["an unknown setting", { settings: { colour: "blue" } }, "settings.colour"],
      ["an unknown top-level field", { enabled: true }, "enabled"],
      ["credentials that are not an object", { credentials: "sk_test_x" }, "credentials"],
      ["an unknown credential sent as null", { credentials: { password: null } }, "credentials.password"],
      ["a currency that is not ISO", { settings: { currency: "dollars" } }, "settings.currency"],
    ])("answers 400 to %s, naming the field, calling nobody and recording nothing", async (_name, body, field) => {
      const { tenantId, test } = await setup();

      const res = await test("stripe", body);

      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual([field]);
      expect(balance.calls).toEqual([]);
      expect(await auditRows(db, tenantId)).toEqual([]);
      expect(res.text).not.toContain("hunter2");
    });

    it("answers 400 to malformed JSON and to a body that is not an object, without echoing it", async () => {
      const { test } = await setup();
      for (const raw of ['{"credentials": {"secretKey": "sk_test_leak', "[]", "42"]) {
        const res = await test("stripe", undefined, { raw });
        expect(res.status, raw).toBe(400);
        expect(res.text).not.toContain("sk_test_leak");
      }
    });

    it("answers 404 to an unknown integration and 405 to GET", async () => {
      const { test } = await setup();
      expect((await test("paypal")).status).toBe(404);
      expect((await test("stripe", undefined, { method: "GET" })).status).toBe(405);
    });
  });

  describe("auth and tenants", () => {
    it("answers 401 without a token or with a bad one, and 403 to a member", async () => {
      const { tenantId, test } = await setup();
      const member = await signToken({ tenantId, role: "member" });

      expect((await test("stripe", undefined, { token: "" })).status).toBe(401);
      expect((await test("stripe", undefined, { token: "not.a.jwt" })).status).toBe(401);
      expect((await test("stripe", undefined, { token: member })).status).toBe(403);
      expect(balance.calls).toEqual([]);
    });

    it("another tenant's admin tests only its own (empty) integration and never touches this one's", async () => {
      const { services, tenantId, test } = await setup();
      const keys = stripeKeys();
      valid.push(keys.secretKey);
      await configureIntegration(services, tenantId, "stripe", keys);
      const otherTenant = await createTenant(db);
      const otherAdmin = await signToken({ tenantId: otherTenant, role: "admin" });

      const res = await test("stripe", undefined, { token: otherAdmin });

      expect(res.json).toMatchObject({ ok: false, code: "missing_secret_key" });
      expect(balance.calls).toEqual([]);
      expect(await integrationRow(db, tenantId)).toMatchObject({ last_test_at: null });
      expect(await integrationRow(db, otherTenant)).toMatchObject({ last_test_ok: false, credentials: null });
      expect(await auditRows(db, tenantId)).toEqual([]);
    });
  });

  describe("testers", () => {
    it("answers 501 for an integration whose connection test does not exist yet", async () => {
      const { services, token } = await setup();

      const res = await callHandler(createIntegrationTestHandler({}), services, {
        method: "POST", path: "/api/admin/integrations/zoom/test", token, params: { key: "zoom" },
      });

      expect(res.status).toBe(501);
      expect(res.json).toMatchObject({ code: "ERR_NO_CONNECTION_TEST", detail: expect.stringContaining("zoom") });
    });

    it("turns a tester that throws into ok:false, logging only the error's name", async () => {
      const { services, token, tenantId } = await setup();
      const secretKey = `sk_test_${rand(32)}`;
      const throwing: ConnectionTester = async ({ credentials }) => {
        throw new TypeError(`boom with ${String(credentials.secretKey)}`);
      };

      const res = await callHandler(createIntegrationTestHandler({ stripe: async () => throwing }), services, {
        method: "POST", path: "/api/admin/integrations/stripe/test", token, params: { key: "stripe" }, body: { credentials: { secretKey } },
      });

      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ ok: false, code: "test_error" });
      expect(services.logs.lines.join("\n")).toContain("TypeError");
      expect(services.logs.lines.join("\n") + res.text + JSON.stringify(await auditRows(db, tenantId))).not.toContain(secretKey);
    });

    it("removes any credential a tester's result quotes, before answering or recording it", async () => {
      const { services, token, tenantId } = await setup();
      const keys = stripeKeys();
      await configureIntegration(services, tenantId, "stripe", keys);
      const leaky: ConnectionTester = async ({ credentials }) =>
        ({ ok: false, error: `refused key ${String(credentials.secretKey)} (hint …${String(credentials.webhookSecret).slice(4, -4)}…)`, details: { echo: credentials.publishableKey } });

      const res = await callHandler(createIntegrationTestHandler({ stripe: async () => leaky }), services, {
        method: "POST", path: "/api/admin/integrations/stripe/test", token, params: { key: "stripe" },
      });

      expect(res.json.error).toBe("refused key •••• (hint …••••…)");
      expect(res.json.details).toEqual({ echo: "••••" });
      const recorded = JSON.stringify(await integrationRow(db, tenantId)) + JSON.stringify(await auditRows(db, tenantId));
      for (const secret of Object.values(keys)) {
        expect(res.text).not.toContain(secret);
        expect(recorded).not.toContain(secret);
        expect(recorded).not.toContain(secret.slice(4, -4));
      }
    });

    it("the deployed handler uses the registry, with Stripe in it", async () => {
      const { services, tenantId, token } = await setup();
      const keys = stripeKeys();
      valid.push(keys.secretKey);
      await configureIntegration(services, tenantId, "stripe", keys);

      const res = await callHandler(handler, services, { method: "POST", path: "/api/admin/integrations/stripe/test", token, params: { key: "stripe" } });

      expect(res.json.ok).toBe(true);
    });
  });
});
