import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createSendGridApi, SENDGRID_EU, SENDGRID_GLOBAL } from "../../../../tests/support/sendgrid-api.ts";
import { createLogger } from "../../http/logger.ts";
import { sendgridApiBase } from "./api-base.ts";
import { sendgridErrorProblem } from "./error-problem.ts";
import { SendGridError } from "./errors.ts";
import { sendgridRequest, type SendGridAccount } from "./request.ts";
import { sendMail } from "./send-mail.ts";

const LOCAL = "http://127.0.0.1:3999";
const API_KEY = "SG.requestTestKey000000.0123456789abcdefghijklmnopqrstuv";
const NOW_MS = 1_790_000_000_000;
const sendgridApi = createSendGridApi([SENDGRID_GLOBAL, SENDGRID_EU, LOCAL]);
beforeAll(() => sendgridApi.listen());
afterEach(() => sendgridApi.reset());
afterAll(() => sendgridApi.close());

const account = (apiBase = SENDGRID_GLOBAL): SendGridAccount => ({
  apiKey: API_KEY, apiBase, fetch: (input, init) => globalThis.fetch(input, init), now: () => NOW_MS,
});
const body = { personalizations: [{ to: [{ email: "a@example.com" }] }], from: { email: "office@school.example" }, template_id: "d-1" };

async function failure(promise: Promise<unknown>): Promise<SendGridError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(SendGridError);
  return error as SendGridError;
}

describe("sendgridApiBase", () => {
  it("picks the host by dataResidency, and SENDGRID_API_BASE over both", () => {
    expect(sendgridApiBase(undefined, "global")).toBe("https://api.sendgrid.com");
    expect(sendgridApiBase(undefined, undefined)).toBe("https://api.sendgrid.com");
    expect(sendgridApiBase(undefined, "eu")).toBe("https://api.eu.sendgrid.com");
    expect(sendgridApiBase(LOCAL, "eu")).toBe(LOCAL);
  });
});

describe("sendMail", () => {
  it("posts the body as JSON with the key as a bearer token and returns X-Message-Id", async () => {
    const accepted = await sendMail(account(SENDGRID_EU), body);
    const [call] = sendgridApi.calls;
    expect(call).toMatchObject({ method: "POST", base: SENDGRID_EU, path: "/v3/mail/send", body });
    expect(call!.headers.get("authorization")).toBe(`Bearer ${API_KEY}`);
    expect(call!.headers.get("content-type")).toBe("application/json");
    expect(accepted).toEqual({ providerMessageId: call!.messageId, sandbox: false });
  });

  it("reports sandbox mode (200, nothing delivered, no message id)", async () => {
    const accepted = await sendMail(account(LOCAL), { ...body, mail_settings: { sandbox_mode: { enable: true } } });
    expect(accepted).toEqual({ providerMessageId: null, sandbox: true });
    expect(sendgridApi.calls[0]!.base).toBe(LOCAL);
  });

  it.each([
    [401, [{ message: "The provided authorization grant is invalid, expired, or revoked" }], "sendgrid_unauthorized",
      "SendGrid answered 401: The provided authorization grant is invalid, expired, or revoked"],
    [403, [{ message: "The from address does not match a verified Sender Identity.", field: "from" }], "sendgrid_forbidden",
      "SendGrid answered 403: from: The from address does not match a verified Sender Identity."],
    [400, [{ message: "The template_id must be a valid GUID", field: "template_id" }, { message: "Invalid email", field: "personalizations.0.to.0.email" }],
      "sendgrid_bad_request", "SendGrid answered 400: template_id: The template_id must be a valid GUID; personalizations.0.to.0.email: Invalid email"],
    [413, [{ message: "too big" }], "sendgrid_payload_too_large", "SendGrid answered 413: too big"],
    [500, [], "sendgrid_server_error", "SendGrid answered 500: HTTP 500"],
  ])("turns a %s into a SendGridError naming SendGrid's messages", async (status, errors, code, message) => {
    sendgridApi.fail("post", "/v3/mail/send", status, errors);
    const error = await failure(sendMail(account(), body));
    expect({ code: error.code, status: error.status, message: error.message }).toEqual({ code, status, message });
  });

  it("reads the rate-limit reset from X-RateLimit-Reset on a 429", async () => {
    sendgridApi.fail("post", "/v3/mail/send", 429, [{ message: "too many requests" }], { "x-ratelimit-reset": String(NOW_MS / 1000 + 42) });
    const error = await failure(sendMail(account(), body));
    expect(error).toMatchObject({ code: "sendgrid_rate_limited", status: 429, retryAfterSeconds: 42 });
  });

  it("reports SendGrid unreachable without any detail of the request", async () => {
    sendgridApi.disconnect("post", "/v3/mail/send");
    const error = await failure(sendMail(account(), body));
    expect(error).toMatchObject({ code: "sendgrid_unreachable", status: null, message: "SendGrid could not be reached" });
  });

  it("never carries the key, even when SendGrid's message quotes one", async () => {
    sendgridApi.fail("post", "/v3/mail/send", 401, [{ message: `bad key ${API_KEY}` }]);
    const error = await failure(sendMail(account(), body));
    expect(error.message).toBe("SendGrid answered 401: bad key [redacted]");
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain("requestTestKey");
  });
});

describe("sendgridErrorProblem", () => {
  const problemFor = async (error: unknown) => {
    const lines: string[] = [];
    const res = sendgridErrorProblem(error, createLogger({}, (line) => lines.push(line)));
    return { res, body: res ? ((await res.json()) as Record<string, unknown>) : undefined, lines };
  };

  it.each([
    ["sendgrid_unauthorized", 401, 502],
    ["sendgrid_forbidden", 403, 502],
    ["sendgrid_bad_request", 400, 409],
    ["sendgrid_payload_too_large", 413, 409],
    ["sendgrid_rate_limited", 429, 503],
    ["sendgrid_server_error", 503, 502],
    ["sendgrid_unreachable", null, 502],
  ] as const)("answers %s with %s → %s, naming SendGrid's message", async (code, status, answer) => {
    const { res, body, lines } = await problemFor(new SendGridError(code, status, `SendGrid answered ${status}: message`, 7));
    expect(res!.status).toBe(answer);
    expect(body).toMatchObject({ code, detail: `SendGrid answered ${status}: message` });
    if (answer === 503) expect(res!.headers.get("retry-after")).toBe("7");
    expect(lines.map((l) => JSON.parse(l))).toEqual([expect.objectContaining({ msg: "sendgrid request failed", code })]);
  });

  it("leaves other errors alone", async () => {
    expect((await problemFor(new Error("x"))).res).toBeUndefined();
  });
});

describe("sendgridRequest", () => {
  it("answers the 2xx response of a GET", async () => {
    const res = await sendgridRequest(account(), "GET", "/v3/scopes");
    expect(await res.json()).toEqual({ scopes: ["mail.send", "scopes.read", "templates.read"] });
    expect(sendgridApi.calls[0]!.headers.has("content-type")).toBe(false);
  });
});
