// What `supabase functions deploy` ships: each entry, the files it imports and the import map — never
// node_modules. So every supabase/config.toml entry is type-checked, and the four webhooks served, from a copy
// of the tree without node_modules and with an empty DENO_DIR: Deno fetches each npm: package from the npm
// registry, as Supabase's bundler does (jsr: and deno.land are not used). One copy and one DENO_DIR serve the
// whole file. Each webhook answers an event signed per its provider's scheme (Node crypto, Stripe's SDK) and
// the event is in PostgreSQL afterwards.
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../functions/_shared/context.ts";
import { REAL_DATABASE_URL } from "./support/database.ts";
import { DENO, machineEnv, startDenoEntry, type RunningEntry } from "./support/deno-entry.ts";
import { connectEvent, connectHmacKey, connectSignature, rsaKeyPair } from "./support/docusign.ts";
import { openPrivateDatabase, type PrivateDatabase } from "./support/private-database.ts";
import { sendgridEvent, sendgridSignature, sendgridSigningKey } from "./support/sendgrid.ts";
import { TEST_ENCRYPTION_KEY, testServices } from "./support/services.ts";
import { paymentIntent, stripeEvent, stripeSignature } from "./support/stripe.ts";
import { readSupabaseConfig } from "./support/supabase-config.ts";
import { configureIntegration, createStripeTenant, createTenant } from "./support/tenants.ts";
import { meetingEvent, zoomMeetingNumber, zoomMeetingUuid, zoomSignature } from "./support/zoom.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** What a checkout holds that the bundler can see: the import map, package.json beside it, the entries' tree. */
const SHIPPED = ["deno.json", "package.json", "functions", "supabase"];

const copy = mkdtempSync(join(tmpdir(), "ips-clean-room-"));
const denoDir = mkdtempSync(join(tmpdir(), "ips-deno-dir-"));
const denoEnv = {
  DENO_DIR: denoDir,
  ...(process.env.NPM_CONFIG_REGISTRY ? { NPM_CONFIG_REGISTRY: process.env.NPM_CONFIG_REGISTRY } : {}),
};
const seconds = (since: number) => Number(((performance.now() - since) / 1000).toFixed(1));
const figures: Record<string, number> = {};

beforeAll(() => {
  for (const entry of SHIPPED) cpSync(join(ROOT, entry), join(copy, entry), { recursive: true });
});
afterAll(() => {
  console.log(`deno clean room (seconds): ${JSON.stringify(figures)}`);
  rmSync(copy, { recursive: true, force: true });
  rmSync(denoDir, { recursive: true, force: true });
});

describe("Supabase's view of the tree: no node_modules, an empty DENO_DIR, the npm registry", () => {
  it("type-checks every supabase/config.toml entry with its import map", { timeout: 240_000 }, async () => {
    const config = await readSupabaseConfig(new URL("supabase/config.toml", `file://${copy}/`));
    const functions = Object.entries(config).filter(([table]) => table.startsWith("functions."));
    expect(functions.length).toBeGreaterThan(0);
    const entries = functions.map(([table, fn]) => {
      expect(normalize(join("supabase", String(fn.import_map))), table).toBe("deno.json");
      return normalize(join("supabase", String(fn.entrypoint)));
    });
    expect(existsSync(join(copy, "node_modules"))).toBe(false);
    expect(readdirSync(denoDir)).toEqual([]);

    const started = performance.now();
    const run = spawnSync(DENO, ["check", "--config", "deno.json", ...entries], {
      cwd: copy, encoding: "utf8", timeout: 230_000, maxBuffer: 16 * 1024 * 1024,
      env: { ...machineEnv(), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", ...denoEnv },
    });
    figures.check = seconds(started);
    expect(run.status, `deno check (${figures.check} s):\n${run.stdout}${run.stderr}`).toBe(0);
    // Fetched from the registry into DENO_DIR, never looked up in (or written to) a node_modules.
    expect(run.stderr).toMatch(/^Download https?:\/\/\S+/m);
    expect(existsSync(join(copy, "node_modules"))).toBe(false);
  });

  describe.runIf(REAL_DATABASE_URL)("the four webhooks, each answering a signed event stored in PostgreSQL (real PostgreSQL only: the entries speak postgres.js)", () => {
    let database: PrivateDatabase;
    let services: Services;
    const entries = new Map<string, RunningEntry>();
    const SLUGS = ["stripe-webhook", "docusign-webhook", "zoom-webhook", "sendgrid-webhook"];

    beforeAll(async () => {
      database = await openPrivateDatabase("clean_room", { max: 2 });
      services = await testServices(database.db);
      const started = performance.now();
      const env = { ...denoEnv, DATABASE_URL: database.url, ENCRYPTION_KEY: TEST_ENCRYPTION_KEY };
      const running = await Promise.allSettled(SLUGS.map((slug) => startDenoEntry({ cwd: copy, entry: `functions/${slug}/deno.ts`, env, timeoutMs: 90_000 })));
      running.forEach((result, i) => result.status === "fulfilled" && entries.set(SLUGS[i]!, result.value));
      figures.serveStart = seconds(started);
      const failed = running.find((result) => result.status === "rejected");
      if (failed) throw (failed as PromiseRejectedResult).reason;
    }, 120_000);
    afterAll(async () => {
      await Promise.all([...entries.values()].map((entry) => entry.stop()));
      await database?.drop();
    });

    /** POSTs `body` to the entry at Supabase's path `/<slug>/<tenantId>` and returns the stored events' sources and statuses. */
    async function deliver(slug: string, tenantId: string, body: string, headers: Record<string, string>) {
      const entry = entries.get(slug)!;
      const res = await fetch(`${entry.url}/${slug}/${tenantId}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
      expect(res.status, `${slug}: ${await res.clone().text()}\n${entry.output()}`).toBe(200);
      return database.db.query<{ source: string; external_id: string; status: string }>(
        "select source, external_id, status from webhook_events where tenant_id = $1", [tenantId],
      );
    }

    it("stripe-webhook: a payment_intent.succeeded signed with Stripe's SDK", async () => {
      const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
      const tenantId = await createStripeTenant(services, secret);
      const event = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 12_300 }));
      const body = JSON.stringify(event);
      expect(await deliver("stripe-webhook", tenantId, body, { "stripe-signature": stripeSignature(body, { secret }) }))
        .toEqual([{ source: "stripe", external_id: event.id, status: "processed" }]);
    });

    it("docusign-webhook: a Connect envelope-sent signed with the account's HMAC key", async () => {
      const tenantId = await createTenant(database.db);
      const key = connectHmacKey();
      await configureIntegration(services, tenantId, "docusign", {
        integrationKey: crypto.randomUUID(), userId: crypto.randomUUID(), rsaPrivateKey: rsaKeyPair().pkcs1Pem, hmacKeys: [key],
      }, { settings: { environment: "demo" } });
      const body = JSON.stringify(connectEvent("envelope-sent"));
      const stored = await deliver("docusign-webhook", tenantId, body, { "x-docusign-signature-1": connectSignature(body, key) });
      expect(stored).toEqual([expect.objectContaining({ source: "docusign", status: "processed" })]);
    });

    it("zoom-webhook: a meeting.started signed with the app's secret token", async () => {
      const tenantId = await createTenant(database.db);
      const secretToken = `zm_${crypto.randomUUID().replaceAll("-", "")}`;
      await configureIntegration(services, tenantId, "zoom", { webhookSecretToken: secretToken });
      const timestamp = Math.floor(Date.now() / 1000);
      const body = JSON.stringify(meetingEvent("meeting.started", { id: zoomMeetingNumber(), uuid: zoomMeetingUuid(), eventTs: Date.now() }));
      const stored = await deliver("zoom-webhook", tenantId, body, {
        "x-zm-request-timestamp": String(timestamp), "x-zm-signature": zoomSignature(body, timestamp, secretToken),
      });
      expect(stored).toEqual([expect.objectContaining({ source: "zoom", status: "processed" })]);
    });

    it("sendgrid-webhook: a delivered event signed with the Event Webhook's ECDSA key", async () => {
      const tenantId = await createTenant(database.db);
      const signingKey = sendgridSigningKey();
      await configureIntegration(services, tenantId, "sendgrid", { eventWebhookPublicKey: signingKey.publicKey });
      const timestamp = Math.floor(Date.now() / 1000);
      const event = sendgridEvent("delivered");
      const body = `${JSON.stringify([event])}\r\n`;
      const stored = await deliver("sendgrid-webhook", tenantId, body, {
        "x-twilio-email-event-webhook-timestamp": String(timestamp),
        "x-twilio-email-event-webhook-signature": sendgridSignature(body, timestamp, signingKey.privateKey),
      });
      expect(stored).toEqual([expect.objectContaining({ source: "sendgrid", status: "processed" })]);
    });
  });
});
