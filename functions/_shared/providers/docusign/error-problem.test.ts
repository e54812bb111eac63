import { describe, expect, it } from "vitest";
import { createLogger } from "../../http/logger.ts";
import { docusignErrorProblem } from "./error-problem.ts";
import { DocuSignApiError, DocuSignConsentRequiredError, DocuSignSetupError } from "./errors.ts";

const CONSENT_URL = "https://account-d.docusign.com/oauth/auth?response_type=code&scope=signature+impersonation&client_id=ik&redirect_uri=https%3A%2F%2Fips.example.test";

async function answer(error: unknown) {
  const lines: string[] = [];
  const res = docusignErrorProblem(error, createLogger({}, (line) => lines.push(line)));
  return { res, body: res ? ((await res.json()) as Record<string, unknown>) : undefined, lines };
}

describe("docusignErrorProblem", () => {
  it("answers consent_required 502 with the consent URL as a problem member", async () => {
    const { res, body, lines } = await answer(new DocuSignConsentRequiredError(CONSENT_URL, 400));

    expect(res!.status).toBe(502);
    expect(res!.headers.get("content-type")).toBe("application/problem+json; charset=utf-8");
    expect(body).toMatchObject({ type: "about:blank", status: 502, title: "DocuSign consent required", code: "docusign_oauth_error: consent_required", consentUrl: CONSENT_URL });
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: "warn", code: "docusign_oauth_error: consent_required", docusignStatus: 400 });
  });

  it("answers a refused request 502 naming DocuSign's errorCode and message", async () => {
    const { res, body } = await answer(new DocuSignApiError("api", "TEMPLATE_ID_INVALID", 400, "Invalid template ID."));
    expect(res!.status).toBe(502);
    expect(body).toMatchObject({ title: "DocuSign refused the request (TEMPLATE_ID_INVALID)", code: "docusign_api_error: TEMPLATE_ID_INVALID", detail: "Invalid template ID." });
  });

  it("answers a rate limit 503 with Retry-After", async () => {
    const { res, body } = await answer(new DocuSignApiError("api", "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", 429, "The maximum number of hourly API invocations has been exceeded.", 120));
    expect([res!.status, res!.headers.get("retry-after"), body!.code]).toEqual([503, "120", "docusign_api_error: HOURLY_APIINVOCATION_LIMIT_EXCEEDED"]);
  });

  it("answers DocuSign unreachable 502", async () => {
    const { res, body } = await answer(new DocuSignApiError("connection", "connection_error", null, "DocuSign could not be reached or did not answer in time"));
    expect([res!.status, body!.title, body!.code]).toEqual([502, "DocuSign could not be reached", "docusign_connection_error"]);
  });

  it("answers the school's incomplete set-up 409 with our code", async () => {
    const { res, body, lines } = await answer(new DocuSignSetupError("ERR_DOCUSIGN_NOT_ENABLED", "this school's DocuSign integration is disabled"));
    expect([res!.status, body!.code, body!.title]).toEqual([409, "ERR_DOCUSIGN_NOT_ENABLED", "DocuSign is not set up"]);
    expect(lines).toHaveLength(0);
  });

  it("removes JWT-like strings (a token, an assertion) from DocuSign's messages and never shows a stack", async () => {
    const token = "eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    const { body } = await answer(new DocuSignApiError("api", "INVALID_REQUEST_BODY", 400, `The request body is missing or improperly formatted: ${token}`));
    expect(JSON.stringify(body)).not.toContain(token);
    expect(body!.detail).toBe("The request body is missing or improperly formatted: [redacted]");
    expect(JSON.stringify(body)).not.toMatch(/at .+\.ts/);
  });

  it("leaves errors that are not DocuSign's to the caller", async () => {
    expect((await answer(new Error("boom"))).res).toBeUndefined();
  });
});
