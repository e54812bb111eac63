// `npm run simulate`: its requests are checked the way each provider's receiver would check them — Stripe
// end to end against the webhook served over loopback HTTP, the others by verifying their signatures
// independently with node:crypto, per PROVIDERS.md.
import { createHmac, createPublicKey, verify } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../functions/_shared/context.ts";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { functionDefinition } from "../functions/manifest.ts";
import { runSimulate } from "../tools/simulate/cli.ts";
import { stripeProvider } from "../tools/simulate/stripe.ts";
import { openTestDatabase } from "./support/database.ts";
import { startTestServer } from "./support/http-server.ts";
import { testServices } from "./support/services.ts";
import { createEnrollment, createStripeTenant } from "./support/tenants.ts";

const SECRET = "whsec_simulator_test_3e1f5a7c9b2d4f6a8c0e";

interface Run {
  code: number;
  out: string[];
  err: string[];
}

let dataDir: string;

async function simulate(...argv: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runSimulate(argv, {
    out: (line) => out.push(line), err: (line) => err.push(line), env: { DATA_DIR: dataDir }, fetch: globalThis.fetch, now: () => Date.now(),
  });
  return { code, out, err };
}

/** The headers and body a `--dry-run` printed. */
function dryRunRequest(run: Run): { headers: Record<string, string>; body: string } {
  const start = run.out.findIndex((line) => line.startsWith("POST "));
  const blank = run.out.indexOf("", start);
  const headers = Object.fromEntries(run.out.slice(start + 1, blank).map((line) => {
    const colon = line.indexOf(": ");
    return [line.slice(0, colon), line.slice(colon + 2)];
  }));
  return { headers, body: run.out[blank + 1]! };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "ips-simulate-"));
});
afterAll(() => rm(dataDir, { recursive: true, force: true }));

describe("npm run simulate — Stripe against the webhook over HTTP", () => {
  let db: DbPool;
  let services: Services;
  let server: Awaited<ReturnType<typeof startTestServer>>;

  beforeAll(async () => {
    db = await openTestDatabase("pglite");
    services = await testServices(db);
    server = await startTestServer(services, [functionDefinition("stripe-webhook")]);
  });
  afterAll(async () => {
    await server?.close();
    await db?.close();
  });

  it("delivers a signed payment the webhook accepts and applies to the enrollment", async () => {
    const tenantId = await createStripeTenant(services, SECRET);
    const enrollmentId = await createEnrollment(db, tenantId);
    const run = await simulate("stripe", "payment_intent.succeeded", "--tenant", tenantId, "--url", server.baseUrl,
      "--secret", SECRET, "--enrollment", enrollmentId, "--amount", "15000");
    expect(run).toMatchObject({ code: 0, err: [] });
    expect(run.out).toContain(`POST ${server.baseUrl}/api/webhooks/stripe/${tenantId}`);
    expect(run.out.some((line) => /^→ 200 OK/.test(line))).toBe(true);
    expect(JSON.parse(run.out.at(-1)!)).toEqual({ received: 1, duplicates: 0, failed: 0 });
    expect(await db.query("select enrollment_id, amount, status from payments where tenant_id = $1", [tenantId]))
      .toEqual([{ enrollment_id: enrollmentId, amount: 15_000, status: "succeeded" }]);
    // The secret is used, never printed.
    expect(run.out.join("\n")).not.toContain(SECRET);
  });

  it("re-sends the same event as a provider retrying: the second delivery is acknowledged as a duplicate", async () => {
    const tenantId = await createStripeTenant(services, SECRET);
    const run = await simulate("stripe", "payment_intent.succeeded", "--tenant", tenantId, "--url", server.baseUrl,
      "--secret", SECRET, "--event-id", "evt_simulated_retry_1", "--repeat", "2");
    expect(run.code).toBe(0);
    const answers = run.out.filter((line) => line.startsWith("{")).map((line) => JSON.parse(line));
    expect(answers).toEqual([{ received: 1, duplicates: 0, failed: 0 }, { received: 1, duplicates: 1, failed: 0 }]);
    expect(await db.query("select external_id, attempts from webhook_events where tenant_id = $1", [tenantId]))
      .toEqual([{ external_id: "evt_simulated_retry_1", attempts: 1 }]);
  });

  it("builds every Stripe event it lists as a body the webhook stores and applies without failure", async () => {
    const tenantId = await createStripeTenant(services, SECRET);
    const enrollmentId = await createEnrollment(db, tenantId);
    for (const event of stripeProvider.events) {
      const run = await simulate("stripe", event, "--tenant", tenantId, "--url", server.baseUrl, "--secret", SECRET, "--enrollment", enrollmentId);
      expect(run.code, event).toBe(0);
      expect(JSON.parse(run.out.at(-1)!), event).toEqual({ received: 1, duplicates: 0, failed: 0 });
    }
    const [stored] = await db.query<{ n: number; processed: number }>(
      "select count(*)::int as n, count(*) filter (where status = 'processed')::int as processed from webhook_events where tenant_id = $1", [tenantId]);
    expect(stored).toEqual({ n: stripeProvider.events.length, processed: stripeProvider.events.length });
  });

  it("posts to a full endpoint URL as given (a deployed function's URL)", async () => {
    const tenantId = await createStripeTenant(services, SECRET);
    const endpoint = `${server.baseUrl}/api/webhooks/stripe/${tenantId}`;
    const run = await simulate("stripe", "customer.subscription.created", "--url", endpoint, "--secret", SECRET);
    expect(run.code).toBe(0);
    expect(run.out).toContain(`POST ${endpoint}`);
  });

  it.each([
    ["with the wrong secret", ["--secret", "whsec_not_the_tenants_secret"], "ERR_WEBHOOK_SIGNATURE"],
    ["signed an hour ago", ["--secret", SECRET, "--timestamp", String(Math.floor(Date.now() / 1000) - 3600)], "ERR_WEBHOOK_TIMESTAMP"],
  ])("shows the webhook's 401 for an event signed %s, and exits 1", async (_, flags, code) => {
    const tenantId = await createStripeTenant(services, SECRET);
    const run = await simulate("stripe", "payment_intent.succeeded", "--tenant", tenantId, "--url", server.baseUrl, ...flags);
    expect(run.code).toBe(1);
    expect(run.out.some((line) => line.startsWith("→ 401"))).toBe(true);
    expect(JSON.parse(run.out.at(-1)!)).toMatchObject({ status: 401, code });
  });

  it("exits 2 with the reason when nothing answers", async () => {
    const run = await simulate("stripe", "payment_intent.succeeded", "--url", "http://127.0.0.1:1", "--secret", SECRET);
    expect(run.code).toBe(2);
    expect(run.err.join("\n")).toMatch(/no answer from http:\/\/127\.0\.0\.1:1\//);
  });
});

describe("npm run simulate — signatures as each provider makes them", () => {
  it("DocuSign: X-DocuSign-Signature-1 is base64 HMAC-SHA256 of the raw body under the HMAC key", async () => {
    const run = await simulate("docusign", "envelope-completed", "--secret", "docusign-hmac-key-1", "--object", "4b7e1c2a-0d3f-4e5a-8b9c-1d2e3f4a5b6c", "--dry-run");
    expect(run.code).toBe(0);
    const { headers, body } = dryRunRequest(run);
    expect(headers["x-docusign-signature-1"]).toBe(createHmac("sha256", "docusign-hmac-key-1").update(body).digest("base64"));
    const event = JSON.parse(body);
    expect(event).toMatchObject({ event: "envelope-completed", apiVersion: "v2.1", data: { envelopeId: "4b7e1c2a-0d3f-4e5a-8b9c-1d2e3f4a5b6c" } });
    expect(event.generatedDateTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/);
  });

  it("Zoom: x-zm-signature is v0= hex HMAC-SHA256 of v0:{timestamp}:{body} under the secret token", async () => {
    const run = await simulate("zoom", "meeting.ended", "--secret", "zoom-secret-token", "--object", "85746065432", "--dry-run");
    const { headers, body } = dryRunRequest(run);
    const timestamp = headers["x-zm-request-timestamp"]!;
    expect(headers["x-zm-signature"]).toBe(`v0=${createHmac("sha256", "zoom-secret-token").update(`v0:${timestamp}:${body}`).digest("hex")}`);
    const event = JSON.parse(body);
    expect(event).toMatchObject({ event: "meeting.ended", payload: { object: { id: 85746065432 } } });
    // event_ts in milliseconds, the header in seconds.
    expect(Math.abs(event.event_ts / 1000 - Number(timestamp))).toBeLessThan(2);
  });

  it("Zoom: meeting.updated carries only the changed fields and their old values; meeting.deleted the whole meeting", async () => {
    const updated = JSON.parse(dryRunRequest(await simulate("zoom", "meeting.updated", "--secret", "z", "--object", "85746065432", "--dry-run")).body);
    expect(Object.keys(updated.payload.object).sort()).toEqual(["id", "start_time", "topic", "uuid"]);
    expect(updated.payload).toMatchObject({ object: { id: 85746065432 }, old_object: { id: 85746065432 }, operation: "all" });
    expect(updated.payload.object.start_time).not.toBe(updated.payload.old_object.start_time);
    const deleted = JSON.parse(dryRunRequest(await simulate("zoom", "meeting.deleted", "--secret", "z", "--object", "85746065432", "--dry-run")).body);
    expect(deleted.payload).toMatchObject({ object: { id: 85746065432, topic: "Grade 5 — Mathematics" }, operation: "all" });
    expect(deleted.payload.object).not.toHaveProperty("occurrences");
  });

  it("SendGrid: an ECDSA P-256 signature over timestamp + body that the printed public key verifies, the same key on every run", async () => {
    const first = await simulate("sendgrid", "delivered", "--arg", "message_id=msg_42", "--dry-run");
    expect(first.code).toBe(0);
    const publicKey = first.out[first.out.indexOf("SendGrid Event Webhook public key — paste it as the tenant's credentials.eventWebhookPublicKey:") + 1]!.trim();
    expect(first.out.join("\n")).toContain("a new key pair");
    const { headers, body } = dryRunRequest(first);
    const key = createPublicKey({ key: Buffer.from(publicKey, "base64"), format: "der", type: "spki" });
    const signed = Buffer.from(`${headers["x-twilio-email-event-webhook-timestamp"]}${body}`);
    expect(verify("sha256", signed, key, Buffer.from(headers["x-twilio-email-event-webhook-signature"]!, "base64"))).toBe(true);
    expect(verify("sha256", Buffer.from(`${signed}x`), key, Buffer.from(headers["x-twilio-email-event-webhook-signature"]!, "base64"))).toBe(false);
    const [event] = JSON.parse(body);
    expect(event).toMatchObject({ event: "delivered", message_id: "msg_42", sg_event_id: expect.any(String) });

    const second = await simulate("sendgrid", "open", "--dry-run");
    expect(second.out).toContain(`  ${publicKey}`);
    expect(second.out.join("\n")).not.toContain("a new key pair");
  });

  it.each([
    [["nowhere", "x"], /unknown provider "nowhere"/],
    [["stripe", "payment_intent.succeeded"], /stripe needs --secret/],
    [["docusign", "envelope-exploded", "--secret", "k"], /docusign has no event "envelope-exploded"/],
    [["stripe", "payment_intent.succeeded", "--secret", "s", "--amount", "-5"], /--amount|Unknown|ambiguous/i],
    [["stripe"], /name an event/],
  ])("refuses %j with the reason and the usage (exit 2)", async (argv, reason) => {
    const run = await simulate(...argv);
    expect(run.code).toBe(2);
    expect(run.err.join("\n")).toMatch(reason);
  });

  it("lists a provider's events", async () => {
    const run = await simulate("zoom", "--list");
    expect(run.code).toBe(0);
    expect(run.out.join("\n")).toContain("endpoint.url_validation");
  });
});
