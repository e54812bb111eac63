import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openTestDatabase } from "../../../tests/support/database.ts";
import { functionUrlEvent, httpApiEvent } from "../../../tests/support/lambda-events.ts";
import { captureLogs, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, testServices } from "../../../tests/support/services.ts";
import { paymentIntent, stripeEvent, stripeSignature } from "../../../tests/support/stripe.ts";
import { createStripeTenant } from "../../../tests/support/tenants.ts";
import { adminToken } from "../../../tests/support/tokens.ts";
import { handler as adminIntegrations } from "../../admin-integrations/handler.ts";
import { ConfigError } from "../../_shared/config.ts";
import type { Handler, Services } from "../../_shared/context.ts";
import type { DbPool } from "../../_shared/db/port.ts";
import type { FunctionDefinition } from "../../manifest.ts";
import { handler as stripeWebhook } from "../../stripe-webhook/handler.ts";
import { createLambdaHandler } from "./handler.ts";

// The environment a deployed Lambda gets (values from the test secrets); DATABASE_URL is replaced by `openDb`.
const ENV = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET, APP_URL: "https://ips.example.test" };

let db: DbPool;
let services: Services;

beforeAll(async () => {
  db = await openTestDatabase();
  services = await testServices(db);
});
afterAll(() => db?.close());

function lambdaFor(fn: string | FunctionDefinition, handler: Handler, env: Record<string, string | undefined> = ENV) {
  const logs = captureLogs();
  const lambda = createLambdaHandler(fn, handler, { env, openDb: () => db, services: { log: logs.logger } });
  return { lambda, logs };
}

const bodyJson = (result: APIGatewayProxyStructuredResultV2) => JSON.parse(result.body ?? "") as Record<string, unknown>;

/** A Stripe event body with non-ASCII text, so a body decoded as anything but its exact bytes fails to verify. */
function stripeBody() {
  const intent = { ...paymentIntent({ amount: 42_000, status: "succeeded" }), description: "Frais d'inscription — Zoë Ñúñez 学費 🎓" };
  const event = stripeEvent("payment_intent.succeeded", intent);
  return { event, body: JSON.stringify(event) };
}

const webhookHeaders = (body: string, secret: string) => ({
  "content-type": "application/json; charset=utf-8",
  "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
  "stripe-signature": stripeSignature(body, { secret }),
});

async function storedEvent(externalId: string) {
  return db.query<{ tenant_id: string; status: string; event_type: string }>(
    "select tenant_id, status, event_type from webhook_events where source = 'stripe' and external_id = $1", [externalId],
  );
}

describe("stripe-webhook on Lambda, against the database", () => {
  const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
  let tenantId: string;
  beforeAll(async () => {
    tenantId = await createStripeTenant(services, secret);
  });

  it("verifies a base64-encoded signed body from API Gateway (HTTP API, payload 2.0) and stores the event", async () => {
    const { lambda, logs } = lambdaFor("stripe-webhook", stripeWebhook);
    const { event, body } = stripeBody();
    const result = await lambda(httpApiEvent({
      method: "POST", path: `/api/webhooks/stripe/${tenantId}`, routeKey: "POST /api/webhooks/stripe/{tenantId}",
      pathParameters: { tenantId }, headers: webhookHeaders(body, secret), body, base64: true,
    }));

    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(false);
    expect(result.headers?.["content-type"]).toMatch(/^application\/json/);
    expect(result.headers?.["x-request-id"]).toBeTruthy();
    expect(bodyJson(result)).toEqual({ received: 1, duplicates: 0, failed: 0 });
    expect(await storedEvent(event.id)).toEqual([{ tenant_id: tenantId, status: "processed", event_type: "payment_intent.succeeded" }]);
    expect(logs.lines.join("\n")).not.toContain(secret);
  });

  it("verifies a text body from a Function URL, and answers a redelivery as a duplicate", async () => {
    const { lambda } = lambdaFor("stripe-webhook", stripeWebhook);
    const { event, body } = stripeBody();
    const deliver = () => lambda(functionUrlEvent({ method: "POST", path: `/api/webhooks/stripe/${tenantId}`, headers: webhookHeaders(body, secret), body }));

    expect(bodyJson(await deliver())).toEqual({ received: 1, duplicates: 0, failed: 0 });
    expect(bodyJson(await deliver())).toEqual({ received: 1, duplicates: 1, failed: 0 });
    expect(await storedEvent(event.id)).toHaveLength(1);
  });

  it("rejects a body changed by one byte after signing (401, nothing stored)", async () => {
    const { lambda } = lambdaFor("stripe-webhook", stripeWebhook);
    const { event, body } = stripeBody();
    const bytes = new TextEncoder().encode(body);
    const tampered = bytes.slice();
    tampered[bytes.indexOf(0x34)] = 0x35; // one "4" of the amount becomes a "5"
    const result = await lambda(httpApiEvent({
      method: "POST", path: `/api/webhooks/stripe/${tenantId}`, routeKey: "POST /api/webhooks/stripe/{tenantId}",
      pathParameters: { tenantId }, headers: webhookHeaders(body, secret), body: tampered,
    }));

    expect(result.statusCode).toBe(401);
    expect(result.headers?.["content-type"]).toMatch(/^application\/problem\+json/);
    expect(bodyJson(result)).toMatchObject({ code: "ERR_WEBHOOK_SIGNATURE" });
    expect(await storedEvent(event.id)).toEqual([]);
  });
});

describe("admin-integrations on Lambda", () => {
  it("serves an admin's GET with the bearer token, and 401 without it", async () => {
    const tenantId = await createStripeTenant(services, `whsec_${crypto.randomUUID().replaceAll("-", "")}`);
    const { lambda } = lambdaFor("admin-integrations", adminIntegrations);
    const get = (headers: Record<string, string>) =>
      lambda(httpApiEvent({ method: "GET", path: "/api/admin/integrations/stripe", routeKey: "GET /api/admin/integrations/{key}", pathParameters: { key: "stripe" }, headers }));

    const ok = await get({ authorization: `Bearer ${await adminToken(tenantId)}` });
    expect(ok.statusCode).toBe(200);
    expect(bodyJson(ok)).toMatchObject({ key: "stripe", enabled: true });

    const refused = await get({});
    expect(refused.statusCode).toBe(401);
    expect(refused.headers?.["content-type"]).toMatch(/^application\/problem\+json/);
  });
});

// A function outside the manifest that echoes what reached it, to check the event → Request → Response → result
// mapping on its own.
const PROBE: FunctionDefinition = {
  slug: "runtime-probe",
  routes: [{ method: "POST", path: "/api/probe/{id}" }, { method: "GET", path: "/api/probe/{id}/bytes" }],
  auth: "signature",
  secrets: [],
  timeoutSeconds: 5,
};

const ALL_BYTES = Uint8Array.from({ length: 256 }, (_, i) => i);

const probe: Handler = async (req, ctx) => {
  const url = new URL(req.url);
  if (req.method === "GET") {
    return new Response(ALL_BYTES, { headers: { "content-type": "application/octet-stream" } });
  }
  const body = new Uint8Array(await req.arrayBuffer());
  const headers = new Headers({ "content-type": "application/json" });
  headers.append("set-cookie", "session=abc; Path=/; HttpOnly; Secure");
  headers.append("set-cookie", "theme=dark; Path=/");
  return new Response(JSON.stringify({
    method: req.method,
    path: url.pathname,
    query: [...url.searchParams],
    params: ctx.params,
    cookie: req.headers.get("cookie"),
    forwarded: req.headers.get("x-forwarded-for"),
    clientIp: ctx.clientIp ?? null,
    custom: req.headers.get("x-custom"),
    contentLength: req.headers.get("content-length"),
    bodySha256: createHash("sha256").update(body).digest("hex"),
    bodyLength: body.length,
  }), { headers });
};

describe.each([
  ["API Gateway HTTP API", (input: Parameters<typeof functionUrlEvent>[0]) => httpApiEvent({ ...input, routeKey: `${input.method} /api/probe/{id}`, pathParameters: { id: "p-1" } })],
  ["Function URL", functionUrlEvent],
])("event → Request → Response on %s", (_, makeEvent) => {
  it("passes method, path params, query (repeated names too), headers and cookies, and returns Set-Cookie as cookies", async () => {
    const { lambda } = lambdaFor(PROBE, probe);
    const result = await lambda(makeEvent({
      method: "POST", path: "/api/probe/p-1", rawQueryString: "a=1&a=2&q=caf%C3%A9%20au%20lait",
      headers: { "content-type": "application/json", "x-custom": "one,two" }, cookies: ["sb=token123", "lang=fr"], body: "{}",
    }));

    expect(result.statusCode).toBe(200);
    expect(bodyJson(result)).toMatchObject({
      method: "POST", path: "/api/probe/p-1", query: [["a", "1"], ["a", "2"], ["q", "café au lait"]], params: { id: "p-1" },
      cookie: "sb=token123; lang=fr", forwarded: "203.0.113.7", custom: "one,two", contentLength: "2",
    });
    expect(result.cookies).toEqual(["session=abc; Path=/; HttpOnly; Secure", "theme=dark; Path=/"]);
    expect(result.headers?.["set-cookie"]).toBeUndefined();
  });

  it("gives the handler requestContext.http.sourceIp as the client IP, never x-forwarded-for (none without a sourceIp)", async () => {
    const { lambda } = lambdaFor(PROBE, probe);
    const event = makeEvent({ method: "POST", path: "/api/probe/p-1", headers: { "x-forwarded-for": "6.6.6.6, 10.0.0.1" }, body: "{}" });
    event.requestContext.http.sourceIp = "198.51.100.23";
    expect(bodyJson(await lambda(event))).toMatchObject({ clientIp: "198.51.100.23", forwarded: "6.6.6.6, 10.0.0.1" });

    const handMade = makeEvent({ method: "POST", path: "/api/probe/p-1", headers: { "x-forwarded-for": "6.6.6.6" }, body: "{}" });
    delete (handMade.requestContext.http as { sourceIp?: string }).sourceIp;
    expect(bodyJson(await lambda(handMade))).toMatchObject({ clientIp: null });
  });

  it("decodes a base64 binary body to its exact bytes", async () => {
    const { lambda } = lambdaFor(PROBE, probe);
    const bytes = Uint8Array.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, ...ALL_BYTES]); // invalid UTF-8 on purpose
    const result = await lambda(makeEvent({ method: "POST", path: "/api/probe/p-1", headers: { "content-type": "application/octet-stream" }, body: bytes }));
    expect(bodyJson(result)).toMatchObject({ bodyLength: bytes.length, bodySha256: createHash("sha256").update(bytes).digest("hex") });
  });

  it("returns a binary response base64-encoded, byte for byte", async () => {
    const { lambda } = lambdaFor(PROBE, probe);
    const result = await lambda(makeEvent({ method: "GET", path: "/api/probe/p-1/bytes" }));
    expect(result.statusCode).toBe(200);
    expect(result.isBase64Encoded).toBe(true);
    expect(new Uint8Array(Buffer.from(result.body ?? "", "base64"))).toEqual(ALL_BYTES);
  });

  it("answers a path outside the function's routes with a 404 problem", async () => {
    const { lambda } = lambdaFor(PROBE, probe);
    const result = await lambda(makeEvent({ method: "POST", path: "/api/elsewhere" }));
    expect(result.statusCode).toBe(404);
    expect(result.headers?.["content-type"]).toMatch(/^application\/problem\+json/);
  });
});

describe("cold start", () => {
  it("builds services once per instance, on the first invocation", async () => {
    let opened = 0;
    const lambda = createLambdaHandler(PROBE, probe, { env: ENV, openDb: () => (opened++, db), services: { log: captureLogs().logger } });
    expect(opened).toBe(0);
    const event = functionUrlEvent({ method: "GET", path: "/api/probe/x/bytes" });
    await Promise.all([lambda(event), lambda(event)]);
    await lambda(event);
    expect(opened).toBe(1);
  });

  it("fails the invocation naming a malformed ENCRYPTION_KEY, never its value, in the error and the log", async () => {
    const badKey = "this-is-not-a-key-but-it-is-secret";
    const { lambda, logs } = lambdaFor("stripe-webhook", stripeWebhook, { ...ENV, ENCRYPTION_KEY: badKey });
    const error = await lambda(functionUrlEvent({ method: "POST", path: "/api/webhooks/stripe" })).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe("ENCRYPTION_KEY");
    expect((error as Error).message).not.toContain(badKey);
    expect(logs.lines.map((line) => JSON.parse(line))).toEqual([
      expect.objectContaining({ level: "error", msg: "configuration error", variable: "ENCRYPTION_KEY" }),
    ]);
    expect(logs.lines.join("\n")).not.toContain(badKey);
  });

  it("asks for SUPABASE_JWT_SECRET only where the manifest lists it: admin functions, not webhooks", async () => {
    const { SUPABASE_JWT_SECRET: _, ...withoutJwtSecret } = ENV;
    const webhook = lambdaFor("stripe-webhook", stripeWebhook, withoutJwtSecret).lambda;
    const admin = lambdaFor("admin-integrations", adminIntegrations, withoutJwtSecret).lambda;

    const unknownTenant = await webhook(functionUrlEvent({ method: "POST", path: `/api/webhooks/stripe/${crypto.randomUUID()}`, body: "{}" }));
    expect(unknownTenant.statusCode).toBe(404);
    const error = await admin(functionUrlEvent({ method: "GET", path: "/api/admin/integrations" })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ConfigError", variable: "SUPABASE_JWT_SECRET" });
  });

  it("fails naming DATABASE_URL when no database is configured, and retries the cold start on the next invocation", async () => {
    const logs = captureLogs();
    const lambda = createLambdaHandler("stripe-webhook", stripeWebhook, { env: ENV, services: { log: logs.logger } });
    const event = functionUrlEvent({ method: "POST", path: "/api/webhooks/stripe" });
    for (let attempt = 0; attempt < 2; attempt++) {
      await expect(lambda(event)).rejects.toMatchObject({ name: "ConfigError", variable: "DATABASE_URL" });
    }
    expect(logs.lines).toHaveLength(2);
  });

  it("rejects a slug that is not in the manifest when the module loads", () => {
    expect(() => createLambdaHandler("no-such-function", probe)).toThrow(/no function "no-such-function"/);
  });
});

// A scheduled job outside the manifest: EventBridge invokes its Lambda on the rule's schedule.
const JOB: FunctionDefinition = {
  slug: "runtime-job",
  routes: [{ method: "POST", path: "/api/jobs/runtime-job" }],
  auth: "service_role",
  secrets: [],
  timeoutSeconds: 5,
  schedule: "rate(1 minute)",
};

/** What EventBridge sends a rule's target (docs.aws.amazon.com: "Amazon EventBridge scheduled events"). */
const scheduledEvent = (id = crypto.randomUUID()) => ({
  version: "0",
  id,
  "detail-type": "Scheduled Event" as const,
  source: "aws.events",
  account: "123456789012",
  time: new Date().toISOString(),
  region: "us-east-1",
  resources: ["arn:aws:events:us-east-1:123456789012:rule/ips-runtime-job"],
  detail: {},
});

describe("a scheduled job on Lambda", () => {
  it("runs the job for an EventBridge Scheduled Event, with the schedule as its trigger", async () => {
    const { jobHandler } = await import("../../_shared/http/job-handler.ts");
    const triggers: (string | undefined)[] = [];
    const { lambda } = lambdaFor(JOB, jobHandler("runtime-job", async (ctx) => (triggers.push(ctx.trigger), { done: 1 })));
    const event = scheduledEvent();

    const result = await lambda(event);

    expect(result.statusCode).toBe(200);
    expect(bodyJson(result)).toEqual({ done: 1 });
    expect(triggers).toEqual(["schedule"]);
  });

  it("throws when the job fails, so EventBridge retries it", async () => {
    const { jobHandler } = await import("../../_shared/http/job-handler.ts");
    const { lambda } = lambdaFor(JOB, jobHandler("runtime-job", async () => {
      throw new Error("database said no");
    }));
    await expect(lambda(scheduledEvent())).rejects.toThrow(/runtime-job failed on schedule: 500/);
  });

  it("still requires the service_role key over HTTP: a request cannot claim to be the schedule", async () => {
    const { jobHandler } = await import("../../_shared/http/job-handler.ts");
    let runs = 0;
    const { lambda } = lambdaFor(JOB, jobHandler("runtime-job", async () => (runs++, {})));
    const result = await lambda(functionUrlEvent({ method: "POST", path: "/api/jobs/runtime-job", headers: { "x-trigger": "schedule" } }));
    expect(result.statusCode).toBe(401);
    expect(runs).toBe(0);
  });
});
