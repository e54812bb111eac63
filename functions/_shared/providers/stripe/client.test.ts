import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createStripeApi } from "../../../../tests/support/stripe-api.ts";
import { createLogger } from "../../http/logger.ts";
import { createStripeClient, STRIPE_API_VERSION } from "./client.ts";
import { redactedMessage, stripeErrorProblem } from "./errors.ts";

// STRIPE_API_BASE as stripe-mock listens: every call must go there, not to api.stripe.com (which msw would
// refuse as an unhandled request).
const STRIPE_MOCK = "http://127.0.0.1:12111";
const SECRET_KEY = "sk_test_51ClientTestKey0000000000000000000000";
const stripeApi = createStripeApi(STRIPE_MOCK);
beforeAll(() => stripeApi.listen());
afterEach(() => stripeApi.reset());
afterAll(() => stripeApi.close());

const client = () => createStripeClient(SECRET_KEY, { fetch: (input, init) => globalThis.fetch(input, init), apiBase: STRIPE_MOCK });

/** The problem a failed refund call maps to, with what was logged. */
async function problemFor(status: number, error: { type: string; code?: string; message: string; param?: string }, headers: Record<string, string> = {}) {
  stripeApi.fail("post", "/v1/refunds", status, error, headers);
  const thrown = await client().refunds.create({ payment_intent: "pi_1", amount: 100 }, { idempotencyKey: "k1" }).catch((e: unknown) => e);
  const lines: string[] = [];
  const res = stripeErrorProblem(thrown, createLogger({}, (line) => lines.push(line)))!;
  return { res, body: (await res.json()) as Record<string, string>, lines };
}

describe("createStripeClient", () => {
  it("sends every call to STRIPE_API_BASE with the pinned API version, the key and our idempotency key", async () => {
    const refund = await client().refunds.create({ payment_intent: "pi_1", amount: 100 }, { idempotencyKey: "refund:p1:100:0" });

    expect(refund.object).toBe("refund");
    const [sent] = stripeApi.calls;
    expect(sent).toMatchObject({ method: "POST", path: "/v1/refunds", idempotencyKey: "refund:p1:100:0", form: { payment_intent: "pi_1", amount: "100" } });
    expect(sent!.headers.get("stripe-version")).toBe(STRIPE_API_VERSION);
    expect(sent!.headers.get("authorization")).toBe(`Bearer ${SECRET_KEY}`);
    expect(sent!.headers.has("x-stripe-client-telemetry")).toBe(false);
  });
});

describe("stripeErrorProblem", () => {
  it("maps an invalid key (401) to 502 without Stripe's message, which quotes the key", async () => {
    const { res, body, lines } = await problemFor(401, { type: "invalid_request_error", code: "api_key_invalid", message: `Invalid API Key provided: ${SECRET_KEY}` });

    expect(res.status).toBe(502);
    expect(body.code).toBe("stripe_authentication_error: api_key_invalid");
    expect(JSON.stringify(body) + lines.join("")).not.toContain(SECRET_KEY);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "warn", code: "stripe_authentication_error: api_key_invalid", stripeStatus: 401, stripeRequestId: expect.stringMatching(/^req_/) });
  });

  it("maps a missing permission (403) to 502", async () => {
    const { res, body } = await problemFor(403, { type: "invalid_request_error", message: "The provided key 'rk_live_****abcd' does not have the required permissions for this endpoint." });

    expect(res.status).toBe(502);
    expect(body.code).toBe("stripe_permission_error");
    expect(body.detail).toBe("The provided key '[redacted]' does not have the required permissions for this endpoint.");
  });

  it("maps a rate limit (429) to 503 with Stripe's Retry-After, or 2 seconds", async () => {
    const given = await problemFor(429, { type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded." }, { "retry-after": "5" });
    stripeApi.reset();
    const defaulted = await problemFor(429, { type: "invalid_request_error", code: "rate_limit", message: "Request rate limit exceeded." });

    expect([given.res.status, given.res.headers.get("retry-after"), given.body.code]).toEqual([503, "5", "stripe_rate_limit_error: rate_limit"]);
    expect(defaulted.res.headers.get("retry-after")).toBe("2");
  });

  it("maps a refused request (400) to 409 with Stripe's message, keys redacted", async () => {
    const { res, body } = await problemFor(400, {
      type: "invalid_request_error", code: "parameter_invalid_integer", param: "amount",
      message: "Invalid integer: sk_live_51Leaked0000 is not a number",
    });

    expect(res.status).toBe(409);
    expect(body).toMatchObject({ code: "stripe_invalid_request_error: parameter_invalid_integer", detail: "Invalid integer: [redacted] is not a number" });
  });

  it("maps a reused idempotency key (400 idempotency_error) to 409", async () => {
    const { res, body } = await problemFor(400, { type: "idempotency_error", message: "Keys for idempotent requests can only be used with the same parameters they were first used with." });

    expect(res.status).toBe(409);
    expect(body.code).toBe("stripe_idempotency_error");
  });

  it("maps Stripe's own failure (500, retried once) to 502", async () => {
    const { res, body } = await problemFor(500, { type: "api_error", message: "Something went wrong on Stripe's end." });

    expect(res.status).toBe(502);
    expect(body.code).toBe("stripe_api_error");
    expect(stripeApi.calls).toHaveLength(2);
  });

  it("leaves errors that are not Stripe's to the caller", () => {
    expect(stripeErrorProblem(new Error("boom"), createLogger({}, () => {}))).toBeUndefined();
  });
});

describe("redactedMessage", () => {
  it("removes secret, restricted and publishable keys, masked or not, and webhook secrets", () => {
    expect(redactedMessage("a sk_test_abc123 b rk_live_****9f2c c pk_test_X d whsec_abc/def+1= e")).toBe("a [redacted] b [redacted] c [redacted] d [redacted] e");
  });
});
