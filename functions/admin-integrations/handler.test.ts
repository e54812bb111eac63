import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { Db, DbPool } from "../_shared/db/port.ts";
import { MAX_BODY_BYTES } from "../_shared/http/body-limit.ts";
import { INTEGRATION_KEYS, type IntegrationKey } from "../_shared/integrations/catalog.ts";
import { loadIntegration } from "../_shared/integrations/store.ts";
import { ADAPTERS, openTestDatabase } from "../../tests/support/database.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { signedStripeRequest } from "../../tests/support/stripe.ts";
import { createTenant } from "../../tests/support/tenants.ts";
import { adminToken, signToken } from "../../tests/support/tokens.ts";
import { stripeWebhook } from "../../tests/support/function-handlers.ts";
import { handler } from "./handler.ts";

type TestServices = Services & { logs: CapturedLogs };

const rand = (n = 24) => crypto.randomUUID().replaceAll("-", "").slice(0, n);

/** Valid credentials per key, each secret unique so a leak is attributable. */
function validCredentials(key: IntegrationKey): Record<string, string | string[]> {
  switch (key) {
    case "stripe":
      return { secretKey: `sk_test_${rand(32)}`, publishableKey: `pk_test_${rand(32)}`, webhookSecret: `whsec_${rand(32)}` };
    case "docusign":
      return {
        integrationKey: crypto.randomUUID(),
        userId: crypto.randomUUID(),
        accountId: crypto.randomUUID(),
        rsaPrivateKey: `-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA${rand(32)}\n${rand(32)}${rand(32)}\n-----END RSA PRIVATE KEY-----`,
        hmacKeys: [`${rand(32)}=`, `${rand(32)}=`],
      };
    case "zoom":
      return {
        accountId: `acct${rand(18)}`, clientId: `client${rand(18)}`, clientSecret: `csecret${rand(24)}`,
        webhookSecretToken: `wst${rand(24)}`, sdkKey: `sdkkey${rand(18)}`, sdkSecret: `sdksecret${rand(24)}`,
      };
    case "sendgrid":
      return {
        apiKey: `SG.${rand(22)}.${rand(32)}`,
        eventWebhookPublicKey: "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE83T4O/n84iotIvIW4mdBgQ/7dAfSmpqIM8kF9mN1flpVKS3GRqe62gw+2fNNRaINXvVpiglSI8eNEc6wEA3F+g==",
      };
  }
}

const validSettings: Record<IntegrationKey, Record<string, unknown>> = {
  stripe: { currency: "EUR", enrollmentFeeAmount: 15_000, tuitionPriceId: "price_test_tuition" },
  docusign: { environment: "demo", templateId: "tmpl-123" },
  zoom: { autoRecording: "cloud" },
  sendgrid: { fromEmail: "office@school.example", fromName: "The School", sandboxMode: true, templates: { welcome: "d-0123abcd" } },
};

/** Every string inside a credentials object (list elements included). */
const secretStrings = (credentials: Record<string, unknown>): string[] =>
  Object.values(credentials).flatMap((v) => (Array.isArray(v) ? v : [v])).filter((v): v is string => typeof v === "string");

interface Answer {
  status: number;
  text: string;
  json: Record<string, any>;
}

function request(method: string, key: string | undefined, options: { token?: string | null; body?: unknown; raw?: string; authorization?: string } = {}) {
  const headers = new Headers({ "content-type": "application/json" });
  if (options.authorization !== undefined) headers.set("authorization", options.authorization);
  else if (options.token) headers.set("authorization", `Bearer ${options.token}`);
  const body = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  return new Request(`https://ips.example.test/api/admin/integrations${key ? `/${key}` : ""}`, { method, headers, ...(body !== undefined ? { body } : {}) });
}

async function call(services: TestServices, req: Request, params: Record<string, string | undefined> = {}): Promise<Answer> {
  const res = await handler(req, contextFor(services, params));
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch {
    // left empty: assertions on json fail visibly
  }
  return { status: res.status, text, json };
}

type IntegrationRow = { integration_key: string; is_enabled: boolean; credentials: Record<string, unknown> | null; credentials_text: string | null; settings: Record<string, unknown>; updated_at: Date };
type AuditRow = { tenant_id: string; actor: string; action: string; target: string | null; details: Record<string, any> };

const integrationRows = (db: Db, tenantId: string) => db.query<IntegrationRow>(
  `select integration_key, is_enabled, credentials, credentials::text as credentials_text, settings, updated_at
     from integrations where tenant_id = $1 order by integration_key`, [tenantId]);
const auditRows = (db: Db, tenantId: string) => db.query<AuditRow>(
  "select tenant_id, actor, action, target, details from audit_log where tenant_id = $1 order by id", [tenantId]);

/** Masked as DESIGN.md says: nothing but bullets and at most the last 4 characters of the stored value. */
function expectMasked(shown: unknown, stored: unknown) {
  if (Array.isArray(stored)) {
    expect(Array.isArray(shown)).toBe(true);
    (stored as unknown[]).forEach((s, i) => expectMasked((shown as unknown[])[i], s));
    return;
  }
  expect(typeof shown).toBe("string");
  const match = /^•+(.{0,4})$/su.exec(shown as string);
  expect(match, `masked value ${String(shown)}`).not.toBeNull();
  expect((stored as string).endsWith(match![1]!)).toBe(true);
  expect(shown).not.toContain(stored as string);
}

describe.each(ADAPTERS)("admin-integrations on %s", (adapter) => {
  let db: DbPool;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function setup() {
    const services = await testServices(db);
    const tenantId = await createTenant(db);
    const userId = crypto.randomUUID();
    const token = await signToken({ sub: userId, tenantId, role: "admin" });
    const get = (key?: string, params: Record<string, string> = {}) =>
      call(services, request("GET", key, { token }), key ? { key, ...params } : params);
    const put = (key: string, body: unknown, params: Record<string, string> = {}) =>
      call(services, request("PUT", key, { token, body }), { key, ...params });
    return { services, tenantId, userId, token, get, put };
  }

  describe("reading", () => {
    it("GET lists all four integrations, unconfigured, with this tenant's webhook URLs", async () => {
      const { tenantId, get } = await setup();

      const res = await get();

      expect(res.status).toBe(200);
      expect(res.json.integrations.map((i: { key: string }) => i.key)).toEqual(["stripe", "docusign", "zoom", "sendgrid"]);
      for (const view of res.json.integrations) {
        expect(view).toMatchObject({ configured: false, enabled: false, credentials: {}, updatedAt: null });
        expect(view.webhookUrl).toBe(`https://ips.example.test/api/webhooks/${view.key}/${tenantId}`);
      }
      expect(res.json.integrations[0].settings).toEqual({ currency: "usd" });
    });

    it("GET never returns a secret: only masked values with at most the last 4 characters", async () => {
      const { get, put } = await setup();
      const stored: Partial<Record<IntegrationKey, Record<string, string | string[]>>> = {};
      for (const key of INTEGRATION_KEYS) {
        stored[key] = validCredentials(key);
        expect((await put(key, { enabled: true, credentials: stored[key], settings: validSettings[key] })).status).toBe(200);
      }

      const list = await get();
      const singles = await Promise.all(INTEGRATION_KEYS.map((key) => get(key)));

      expect(list.status).toBe(200);
      for (const key of INTEGRATION_KEYS) {
        const credentials = stored[key]!;
        const fromList = list.json.integrations.find((i: { key: string }) => i.key === key);
        const single = singles[INTEGRATION_KEYS.indexOf(key)]!;
        expect(single.status).toBe(200);
        for (const view of [fromList, single.json]) {
          expect(view).toMatchObject({ key, configured: true, enabled: true });
          expect(Object.keys(view.credentials).sort()).toEqual(Object.keys(credentials).sort());
          for (const [field, value] of Object.entries(credentials)) expectMasked(view.credentials[field], value);
        }
        for (const secret of secretStrings(credentials)) {
          expect(list.text).not.toContain(secret);
          expect(single.text).not.toContain(secret);
          // Not even the long middle of one.
          if (secret.length > 12) expect(list.text).not.toContain(secret.slice(2, -4));
        }
      }
      expect(list.json.integrations[0].settings).toEqual({ currency: "eur", enrollmentFeeAmount: 15_000, tuitionPriceId: "price_test_tuition" });
    });
  });

  describe("saving", () => {
    it("PUT stripe with valid credentials saves them sealed: the column holds only {v,kid,iv,ct}", async () => {
      const { services, tenantId, put } = await setup();
      const credentials = validCredentials("stripe");

      const res = await put("stripe", { enabled: true, credentials, settings: { currency: "usd", enrollmentFeeAmount: 25_000 } });

      expect(res.status).toBe(200);
      expect(res.json).toMatchObject({ key: "stripe", configured: true, enabled: true, warnings: [], settings: { currency: "usd", enrollmentFeeAmount: 25_000 } });
      for (const [field, value] of Object.entries(credentials)) expectMasked(res.json.credentials[field], value);
      for (const secret of secretStrings(credentials)) expect(res.text).not.toContain(secret);

      const [row] = await integrationRows(db, tenantId);
      expect(row).toMatchObject({ integration_key: "stripe", is_enabled: true, settings: { currency: "usd", enrollmentFeeAmount: 25_000 } });
      expect(Object.keys(row!.credentials!).sort()).toEqual(["ct", "iv", "kid", "v"]);
      expect(row!.credentials!.v).toBe(1);
      const everything = JSON.stringify(await db.query("select * from integrations where tenant_id = $1", [tenantId]));
      for (const secret of secretStrings(credentials)) {
        expect(row!.credentials_text).not.toContain(secret);
        expect(everything).not.toContain(secret);
        expect(everything).not.toContain(secret.slice(-12));
      }
      // And it opens back to exactly what was sent.
      expect((await loadIntegration(db, services.vault, tenantId, "stripe"))!.credentials).toEqual(credentials);
    });

    it("a saved webhookSecret is what the Stripe webhook then verifies with", async () => {
      const { services, tenantId, put } = await setup();
      const credentials = validCredentials("stripe");
      await put("stripe", { enabled: true, credentials });
      const body = JSON.stringify({ id: `evt_${rand()}`, object: "event", type: "balance.available", created: Math.floor(Date.now() / 1000), data: { object: { object: "balance" } } });

      const accepted = await stripeWebhook(signedStripeRequest(tenantId, body, { secret: credentials.webhookSecret as string }), contextFor(services, { tenantId }));
      const rejected = await stripeWebhook(signedStripeRequest(tenantId, body, { secret: `whsec_${rand(32)}` }), contextFor(services, { tenantId }));

      expect(accepted.status).toBe(200);
      expect(rejected.status).toBe(401);
    });

    it("keeps a credential left out of the body and removes one sent as null", async () => {
      const { services, tenantId, put, get } = await setup();
      const first = validCredentials("stripe");
      await put("stripe", { enabled: true, credentials: first, settings: { enrollmentFeeAmount: 10_000 } });
      const newPublishable = `pk_test_${rand(32)}`;

      const partial = await put("stripe", { credentials: { publishableKey: newPublishable } });

      expect(partial.status).toBe(200);
      expect(partial.json.enabled).toBe(true); // `enabled` left out keeps its value too
      expect((await loadIntegration(db, services.vault, tenantId, "stripe"))!).toMatchObject({
        enabled: true,
        credentials: { secretKey: first.secretKey, publishableKey: newPublishable, webhookSecret: first.webhookSecret },
        settings: { currency: "usd", enrollmentFeeAmount: 10_000 },
      });

      // publishableKey: the one Stripe credential enabling does not need.
      const removal = await put("stripe", { credentials: { publishableKey: null } });

      expect(removal.status).toBe(200);
      expect(Object.keys(removal.json.credentials).sort()).toEqual(["secretKey", "webhookSecret"]);
      expect((await loadIntegration(db, services.vault, tenantId, "stripe"))!.credentials).toEqual({ secretKey: first.secretKey, webhookSecret: first.webhookSecret });
      expect(Object.keys((await get("stripe")).json.credentials).sort()).toEqual(["secretKey", "webhookSecret"]);
    });

    it("refuses to remove the webhookSecret while the integration is enabled", async () => {
      const { services, tenantId, put } = await setup();
      const credentials = validCredentials("stripe");
      await put("stripe", { enabled: true, credentials });

      const res = await put("stripe", { credentials: { webhookSecret: null } });

      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual(["credentials.webhookSecret"]);
      expect((await loadIntegration(db, services.vault, tenantId, "stripe"))!.credentials).toEqual(credentials);
      // Disabling and removing in one request is fine.
      expect((await put("stripe", { enabled: false, credentials: { webhookSecret: null } })).status).toBe(200);
    });

    it("trims secrets pasted with surrounding whitespace and says so in a warning (without the value)", async () => {
      const { services, tenantId, put } = await setup();
      const credentials = validCredentials("stripe");

      const res = await put("stripe", {
        enabled: true,
        credentials: { ...credentials, webhookSecret: `  ${credentials.webhookSecret}\n`, secretKey: `\t${credentials.secretKey} ` },
      });

      expect(res.status).toBe(200);
      expect(res.json.warnings).toHaveLength(2);
      expect(res.json.warnings.join("\n")).toContain("credentials.webhookSecret");
      expect(res.json.warnings.join("\n")).toContain("credentials.secretKey");
      expect(res.json.warnings.join("\n")).not.toContain("credentials.publishableKey");
      for (const secret of secretStrings(credentials)) expect(res.text).not.toContain(secret);
      expect((await loadIntegration(db, services.vault, tenantId, "stripe"))!.credentials).toEqual(credentials);
    });

    it("trims each DocuSign HMAC key and warns about it", async () => {
      const { services, tenantId, put } = await setup();
      const credentials = validCredentials("docusign");
      const keys = credentials.hmacKeys as string[];

      const res = await put("docusign", { enabled: true, credentials: { ...credentials, hmacKeys: [`${keys[0]}\n`, keys[1]] } });

      expect(res.status).toBe(200);
      expect(res.json.warnings).toEqual([expect.stringContaining("credentials.hmacKeys")]);
      expect((await loadIntegration(db, services.vault, tenantId, "docusign"))!.credentials.hmacKeys).toEqual(keys);
    });

    it.each([
      ["a webhookSecret not starting with whsec_", { credentials: { webhookSecret: "sk_test_notawebhooksecret" } }, "credentials.webhookSecret"],
      ["an empty secretKey", { credentials: { secretKey: "   " } }, "credentials.secretKey"],
      ["a secretKey that is not a Stripe key", { credentials: { secretKey: "pk_test_publishable" } }, "credentials.secretKey"],
      ["an unknown credential", { credentials: { apiPassword: "hunter2" } }, "credentials.apiPassword"],
      ["an unknown setting", { settings: { colour: "blue" } }, "settings.colour"],
      ["an unknown top-level field", { enabled: true, extra: 1 }, "extra"],
      ["a fractional enrollmentFeeAmount", { settings: { enrollmentFeeAmount: 12.5 } }, "settings.enrollmentFeeAmount"],
      ["a negative enrollmentFeeAmount", { settings: { enrollmentFeeAmount: -1 } }, "settings.enrollmentFeeAmount"],
      ["a currency that is not ISO", { settings: { currency: "dollars" } }, "settings.currency"],
      ["a tuitionPriceId that is not a price", { settings: { tuitionPriceId: "prod_123" } }, "settings.tuitionPriceId"],
      ["enabled that is not a boolean", { enabled: "yes" }, "enabled"],
      ["a non-string secret", { credentials: { webhookSecret: 12345 } }, "credentials.webhookSecret"],
    ])("answers 400 to %s, with errors keyed by field path, saving nothing", async (_name, body, path) => {
      const { tenantId, put } = await setup();

      const res = await put("stripe", body);

      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual([path]);
      expect(res.json.errors[path].length).toBeGreaterThan(0);
      expect(await integrationRows(db, tenantId)).toEqual([]);
      expect(await auditRows(db, tenantId)).toEqual([]);
    });

    it("does not change a stored integration when an update is invalid", async () => {
      const { services, tenantId, put } = await setup();
      const credentials = validCredentials("stripe");
      await put("stripe", { enabled: true, credentials });
      const [before] = await integrationRows(db, tenantId);

      const res = await put("stripe", { credentials: { webhookSecret: "nope", publishableKey: `pk_test_${rand()}` } });

      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors)).toEqual(["credentials.webhookSecret"]);
      expect(res.text).not.toContain("nope");
      const [after] = await integrationRows(db, tenantId);
      expect(after!.credentials).toEqual(before!.credentials);
      expect(after!.updated_at.getTime()).toBe(before!.updated_at.getTime());
      expect((await loadIntegration(db, services.vault, tenantId, "stripe"))!.credentials).toEqual(credentials);
      expect(await auditRows(db, tenantId)).toHaveLength(1);
    });

    // DESIGN.md, the enabling paragraph: what each integration's main job needs, nothing less, nothing more.
    const REQUIRED_TO_ENABLE: Record<IntegrationKey, string[]> = {
      stripe: ["credentials.secretKey", "credentials.webhookSecret"],
      docusign: ["credentials.integrationKey", "credentials.userId", "credentials.rsaPrivateKey", "credentials.hmacKeys"],
      zoom: ["credentials.accountId", "credentials.clientId", "credentials.clientSecret", "credentials.webhookSecretToken"],
      sendgrid: ["credentials.apiKey", "settings.fromEmail"],
    };
    /** Only the fields enabling needs, taken from a full valid configuration. */
    const minimal = (key: IntegrationKey) => {
      const credentials = validCredentials(key);
      const settings: Record<string, unknown> = {};
      const picked: Record<string, unknown> = {};
      for (const path of REQUIRED_TO_ENABLE[key]) {
        const [group, field] = path.split(".") as [string, string];
        if (group === "credentials") picked[field] = credentials[field];
        else settings[field] = validSettings[key][field];
      }
      return { credentials: picked, settings };
    };

    it.each(INTEGRATION_KEYS)("answers 400 naming each field %s needs when enabled with none of them, and GET lists them", async (key) => {
      const { tenantId, put, get } = await setup();

      const res = await put(key, { enabled: true });

      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors).sort()).toEqual([...REQUIRED_TO_ENABLE[key]].sort());
      for (const messages of Object.values(res.json.errors)) expect(messages).toEqual(["required to enable this integration"]);
      expect(await integrationRows(db, tenantId)).toEqual([]);
      expect((await get(key)).json.requiredToEnable).toEqual(REQUIRED_TO_ENABLE[key]);
    });

    it.each(INTEGRATION_KEYS)("enables %s with exactly the fields it needs and nothing more", async (key) => {
      const { tenantId, put } = await setup();

      const res = await put(key, { enabled: true, ...minimal(key) });

      expect(res.status, res.text).toBe(200);
      expect(await integrationRows(db, tenantId)).toEqual([expect.objectContaining({ integration_key: key, is_enabled: true })]);
    });

    it.each(INTEGRATION_KEYS)("counts %s's stored values: enabling later needs no field again, and names only what is still missing", async (key) => {
      const { put } = await setup();
      const first = REQUIRED_TO_ENABLE[key][0]!;
      const { credentials, settings } = minimal(key);
      const [group, field] = first.split(".") as ["credentials" | "settings", string];
      const withoutFirst = { credentials: { ...credentials }, settings: { ...settings } };
      delete withoutFirst[group][field];
      expect((await put(key, { enabled: false, ...withoutFirst })).status).toBe(200);

      const missingOne = await put(key, { enabled: true });
      expect(missingOne.status).toBe(400);
      expect(Object.keys(missingOne.json.errors)).toEqual([first]);

      const res = await put(key, { enabled: true, [group]: { [field]: (group === "credentials" ? credentials : settings)[field] } });
      expect(res.status, res.text).toBe(200);
    });

    it("answers 400 to removing a needed credential (null) from an enabled integration", async () => {
      const { put } = await setup();
      await put("sendgrid", { enabled: true, ...minimal("sendgrid") });

      const res = await put("sendgrid", { credentials: { apiKey: null }, settings: { fromEmail: null } });

      expect(res.status).toBe(400);
      expect(Object.keys(res.json.errors).sort()).toEqual(["credentials.apiKey", "settings.fromEmail"]);
    });

    it("answers 400 to enabling Stripe without a webhookSecret", async () => {
      const { tenantId, put } = await setup();
      const { secretKey, publishableKey } = validCredentials("stripe");

      const res = await put("stripe", { enabled: true, credentials: { secretKey, publishableKey } });

      expect(res.status).toBe(400);
      expect(res.json.errors).toEqual({ "credentials.webhookSecret": [expect.any(String)] });
      expect(await integrationRows(db, tenantId)).toEqual([]);
      // Saving it disabled is allowed.
      expect((await put("stripe", { enabled: false, credentials: { secretKey, publishableKey } })).status).toBe(200);
      expect(await integrationRows(db, tenantId)).toEqual([expect.objectContaining({ is_enabled: false })]);
    });

    it("answers 400 to malformed JSON and to a body that is not an object", async () => {
      const { services, tenantId, token } = await setup();

      for (const raw of ['{"enabled": true, "credentials": {"webhookSecret": "whsec_leak', "not json", "[]", '"stripe"', "42"]) {
        const res = await call(services, request("PUT", "stripe", { token, raw }), { key: "stripe" });
        expect(res.status, raw).toBe(400);
        expect(res.text).not.toContain("whsec_leak");
      }
      expect(await integrationRows(db, tenantId)).toEqual([]);
    });

    it("answers 413 to a body over 1 MiB", async () => {
      const { services, tenantId, token } = await setup();
      const raw = JSON.stringify({ enabled: false, settings: { fromName: "x".repeat(MAX_BODY_BYTES) } });

      const res = await call(services, request("PUT", "sendgrid", { token, raw }), { key: "sendgrid" });

      expect(res.status).toBe(413);
      expect(await integrationRows(db, tenantId)).toEqual([]);
    });

    it("answers 404 to an unknown integration key and 405 to other methods", async () => {
      const { services, token, get, put } = await setup();

      expect((await get("paypal")).status).toBe(404);
      expect((await put("paypal", { enabled: false })).status).toBe(404);
      expect((await put("STRIPE", { enabled: false })).status).toBe(404);
      expect((await call(services, request("DELETE", "stripe", { token }), { key: "stripe" })).status).toBe(405);
      expect((await call(services, request("POST", undefined, { token, body: {} }))).status).toBe(405);
    });

    it("accepts SendGrid templates for only some of the template kinds", async () => {
      const { tenantId, put } = await setup();

      const res = await put("sendgrid", { settings: { templates: { welcome: "d-0123abcd", payment_confirmation: "d-89ef" } } });

      expect(res.status, res.text).toBe(200);
      expect(res.json.settings.templates).toEqual({ welcome: "d-0123abcd", payment_confirmation: "d-89ef" });
      expect(await integrationRows(db, tenantId)).toEqual([expect.objectContaining({
        integration_key: "sendgrid", is_enabled: false, settings: expect.objectContaining({ templates: { welcome: "d-0123abcd", payment_confirmation: "d-89ef" } }),
      })]);
    });

    it.each(INTEGRATION_KEYS)("accepts a valid, enabled %s configuration", async (key) => {
      const { services, tenantId, put, get } = await setup();
      const credentials = validCredentials(key);

      const res = await put(key, { enabled: true, credentials, settings: validSettings[key] });

      expect(res.status, res.text).toBe(200);
      expect(res.json).toMatchObject({ key, configured: true, enabled: true, warnings: [] });
      const [row] = await integrationRows(db, tenantId);
      expect(row).toMatchObject({ integration_key: key, is_enabled: true });
      expect(Object.keys(row!.credentials!).sort()).toEqual(["ct", "iv", "kid", "v"]);
      for (const secret of secretStrings(credentials)) {
        expect(row!.credentials_text).not.toContain(secret);
        expect(res.text).not.toContain(secret);
      }
      expect((await loadIntegration(db, services.vault, tenantId, key))!.credentials).toEqual(credentials);
      const view = (await get(key)).json;
      for (const [field, value] of Object.entries(credentials)) expectMasked(view.credentials[field], value);
    });

    it("rejects per-key invalid values (DocuSign PEM and environment, SendGrid key prefix and email, Zoom recording)", async () => {
      const { tenantId, put } = await setup();
      const docusign = validCredentials("docusign");

      const badPem = await put("docusign", { credentials: { ...docusign, rsaPrivateKey: "not a pem" } });
      const noKeys = await put("docusign", { credentials: { ...docusign, hmacKeys: [] } });
      const badEnv = await put("docusign", { settings: { environment: "staging" } });
      const badApiKey = await put("sendgrid", { credentials: { apiKey: "sk_live_notsendgrid" } });
      const badEmail = await put("sendgrid", { settings: { fromEmail: "not-an-email" } });
      const badRecording = await put("zoom", { settings: { autoRecording: "always" } });
      const badTemplateName = await put("sendgrid", { settings: { templates: { newsletter: "d-0123" } } });
      const badTemplateId = await put("sendgrid", { settings: { templates: { welcome: "welcome-template" } } });

      expect(Object.keys(badPem.json.errors ?? {})).toEqual(["credentials.rsaPrivateKey"]);
      expect(Object.keys(noKeys.json.errors ?? {})).toEqual(["credentials.hmacKeys"]);
      expect(Object.keys(badEnv.json.errors ?? {})).toEqual(["settings.environment"]);
      expect(Object.keys(badApiKey.json.errors ?? {})).toEqual(["credentials.apiKey"]);
      expect(Object.keys(badEmail.json.errors ?? {})).toEqual(["settings.fromEmail"]);
      expect(Object.keys(badRecording.json.errors ?? {})).toEqual(["settings.autoRecording"]);
      expect(Object.keys(badTemplateName.json.errors ?? {})).toEqual(["settings.templates.newsletter"]);
      expect(Object.keys(badTemplateId.json.errors ?? {})).toEqual(["settings.templates.welcome"]);
      for (const r of [badPem, noKeys, badEnv, badApiKey, badEmail, badRecording, badTemplateName, badTemplateId]) expect(r.status).toBe(400);
      expect(await integrationRows(db, tenantId)).toEqual([]);
    });
  });

  describe("audit", () => {
    it("writes an audit row per save naming the changed fields, never their values", async () => {
      const { tenantId, userId, put } = await setup();
      const credentials = validCredentials("stripe");

      await put("stripe", { enabled: true, credentials, settings: { enrollmentFeeAmount: 20_000 } });
      const rotated = `whsec_${rand(32)}`;
      await put("stripe", { credentials: { webhookSecret: rotated } });
      await put("stripe", { enabled: false });

      const rows = await auditRows(db, tenantId);
      expect(rows).toHaveLength(3);
      expect(rows[0]).toMatchObject({
        tenant_id: tenantId, actor: userId, action: "integration.updated", target: "stripe",
        details: { credentials: ["publishableKey", "secretKey", "webhookSecret"], enabled: { from: false, to: true } },
      });
      expect(rows[0]!.details.settings).toEqual(expect.arrayContaining(["enrollmentFeeAmount"]));
      expect(rows[1]!.details).toEqual({ credentials: ["webhookSecret"], settings: [] });
      expect(rows[2]!.details).toEqual({ credentials: [], settings: [], enabled: { from: true, to: false } });
      const text = JSON.stringify(rows);
      for (const secret of [...secretStrings(credentials), rotated]) {
        expect(text).not.toContain(secret);
        expect(text).not.toContain(secret.slice(-8));
      }
    });

    it("never writes a secret to a log line", async () => {
      const { services, put, get } = await setup();
      const credentials = validCredentials("stripe");
      const docusign = validCredentials("docusign");

      await put("stripe", { enabled: true, credentials: { ...credentials, webhookSecret: ` ${credentials.webhookSecret} ` } });
      await put("stripe", { credentials: { webhookSecret: "invalid-secret-value-xyz" } });
      await put("docusign", { enabled: true, credentials: docusign });
      await get();

      expect(services.logs.lines.length).toBeGreaterThan(0);
      const logs = services.logs.lines.join("\n");
      for (const secret of [...secretStrings(credentials), ...secretStrings(docusign), "invalid-secret-value-xyz"]) expect(logs).not.toContain(secret);
    });
  });

  describe("auth and tenant isolation", () => {
    it("answers 401 without a token, with a malformed header, a forged or an expired token — and writes nothing", async () => {
      const { services, tenantId } = await setup();
      const forged = await signToken({ tenantId, role: "admin" }, "some-other-secret-that-is-32-characters-long!!");
      const expired = await signToken({ tenantId, role: "admin", expiresIn: Math.floor(Date.now() / 1000) - 3_600 });
      const body = { enabled: false, credentials: validCredentials("stripe") };

      const attempts: { authorization?: string; token?: string | null }[] = [
        { token: null },
        { authorization: "Basic dXNlcjpwYXNz" },
        { authorization: "Bearer" },
        { authorization: "Bearer not.a.jwt" },
        { token: forged },
        { token: expired },
        { token: `${(await adminToken(tenantId)).slice(0, -3)}abc` }, // signature tampered
      ];
      for (const auth of attempts) {
        const put = await call(services, request("PUT", "stripe", { ...auth, body }), { key: "stripe" });
        const list = await call(services, request("GET", undefined, auth));
        expect(put.status, JSON.stringify(auth)).toBe(401);
        expect(list.status).toBe(401);
        expect(list.json.integrations).toBeUndefined();
      }
      expect(await integrationRows(db, tenantId)).toEqual([]);
      expect(await auditRows(db, tenantId)).toEqual([]);
    });

    it("answers 403 to a signed-in non-admin and to a token without a tenant", async () => {
      const { services, tenantId } = await setup();
      const member = await signToken({ tenantId, role: "member" });
      const noRole = await signToken({ tenantId });
      const noTenant = await signToken({ role: "admin" });
      const badTenant = await signToken({ tenantId: "not-a-uuid", role: "admin" });

      for (const token of [member, noRole, noTenant, badTenant]) {
        expect((await call(services, request("GET", undefined, { token }))).status).toBe(403);
        expect((await call(services, request("GET", "stripe", { token }), { key: "stripe" })).status).toBe(403);
        expect((await call(services, request("PUT", "stripe", { token, body: { enabled: false } }), { key: "stripe" })).status).toBe(403);
      }
      expect(await integrationRows(db, tenantId)).toEqual([]);
    });

    it("an admin of tenant B only ever sees and changes tenant B, never tenant A", async () => {
      const a = await setup();
      const b = await setup();
      const aCredentials = validCredentials("stripe");
      expect((await a.put("stripe", { enabled: true, credentials: aCredentials, settings: { enrollmentFeeAmount: 30_000 } })).status).toBe(200);
      const [aBefore] = await integrationRows(db, a.tenantId);

      // B reads — even when a route parameter names tenant A, the token's tenant is what counts.
      const bList = await b.get(undefined, { tenantId: a.tenantId });
      const bStripe = await b.get("stripe", { tenantId: a.tenantId });
      expect(bList.status).toBe(200);
      for (const view of bList.json.integrations) {
        expect(view).toMatchObject({ configured: false, enabled: false, credentials: {} });
        expect(view.webhookUrl).toContain(b.tenantId);
        expect(view.webhookUrl).not.toContain(a.tenantId);
      }
      expect(bStripe.json).toMatchObject({ configured: false, enabled: false, credentials: {} });
      expect(bList.text).not.toContain(a.tenantId);
      expect(bStripe.text).not.toContain(a.tenantId);

      // B writes — it lands on B's own row.
      const bCredentials = validCredentials("stripe");
      const bPut = await b.put("stripe", { enabled: true, credentials: bCredentials, settings: { enrollmentFeeAmount: 1 } }, { tenantId: a.tenantId });
      expect(bPut.status).toBe(200);
      await b.put("stripe", { credentials: { webhookSecret: null }, enabled: false }, { tenantId: a.tenantId });

      const [aAfter] = await integrationRows(db, a.tenantId);
      expect(aAfter!.credentials).toEqual(aBefore!.credentials);
      expect(aAfter!.settings).toEqual(aBefore!.settings);
      expect(aAfter!.is_enabled).toBe(true);
      expect(aAfter!.updated_at.getTime()).toBe(aBefore!.updated_at.getTime());
      expect((await loadIntegration(db, a.services.vault, a.tenantId, "stripe"))!.credentials).toEqual(aCredentials);
      expect(await auditRows(db, a.tenantId)).toHaveLength(1);
      expect(await auditRows(db, b.tenantId)).toHaveLength(2);
      expect((await loadIntegration(db, b.services.vault, b.tenantId, "stripe"))!.credentials).toEqual({
        secretKey: bCredentials.secretKey, publishableKey: bCredentials.publishableKey,
      });
      // A still sees its own, unchanged.
      expect((await a.get("stripe")).json).toMatchObject({ configured: true, enabled: true, settings: { enrollmentFeeAmount: 30_000 } });
    });

    it("a ciphertext copied from tenant A's row into tenant B's does not open for B", async () => {
      const a = await setup();
      const b = await setup();
      const aCredentials = validCredentials("stripe");
      await a.put("stripe", { enabled: true, credentials: aCredentials });
      await b.put("stripe", { enabled: false, credentials: { secretKey: validCredentials("stripe").secretKey } });
      await db.query(
        `update integrations set credentials = (select credentials from integrations where tenant_id = $1 and integration_key = 'stripe')
          where tenant_id = $2 and integration_key = 'stripe'`, [a.tenantId, b.tenantId]);

      const res = await b.get("stripe");

      expect(res.status).toBe(500);
      expect(res.json.code).toBe("ERR_VAULT_DECRYPT");
      for (const secret of secretStrings(aCredentials)) expect(res.text).not.toContain(secret);
    });
  });
});
