import { decodeJwt, decodeProtectedHeader, jwtVerify } from "jose";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ACCOUNT_ID, createDocuSignApi, defaultTemplates, DEMO_BASE_URI, DEMO_OAUTH, FAKE_PDF } from "../../../../tests/support/docusign-api.ts";
import { rsaKeyPair } from "../../../../tests/support/docusign.ts";
import { createDocuSignClient, type DocuSignClientOptions } from "./client.ts";
import { DocuSignApiError, DocuSignConsentRequiredError, DocuSignSetupError } from "./errors.ts";

// The JWT-grant client against a DocuSign stand-in (msw) that verifies assertions like DocuSign does.
const STAND_IN_OAUTH = "http://127.0.0.2:8900";
const STAND_IN_API = "http://127.0.0.2:8901";
const EU_BASE_URI = "https://eu.docusign.net";
const REDIRECT = "https://ips.example.test/admin/config/integrations";

const docusign = createDocuSignApi({ oauthBases: [STAND_IN_OAUTH], restBases: [STAND_IN_API, EU_BASE_URI] });
beforeAll(() => docusign.listen());
afterEach(() => docusign.reset());
afterAll(() => docusign.close());

const pair = rsaKeyPair();
const MINUTE = 60_000;

/** A school whose integration key has `pair` registered and whose user consented; a fresh tenant each time. */
function school(options: { consented?: boolean; privateKey?: string } = {}) {
  const integrationKey = crypto.randomUUID();
  const userId = crypto.randomUUID();
  docusign.registerApp({ integrationKey, publicKey: pair.publicKey, consentedUsers: options.consented === false ? [] : [userId] });
  let clock = Date.now();
  const tenantId = crypto.randomUUID();
  const credentials = { integrationKey, userId, rsaPrivateKey: options.privateKey ?? pair.pkcs1Pem };
  const client = (overrides: Partial<DocuSignClientOptions> = {}) => createDocuSignClient({
    tenantId, credentials, environment: "demo", fetch: (input, init) => globalThis.fetch(input, init), now: () => clock,
    consentRedirectUri: REDIRECT, ...overrides,
  });
  return { tenantId, integrationKey, userId, credentials, client, advance: (ms: number) => (clock += ms), now: () => clock };
}

const assertionOf = (call: { text: string }) => new URLSearchParams(call.text).get("assertion")!;
const errorOf = (promise: Promise<unknown>) => promise.then(() => undefined, (e: unknown) => e);

describe("createDocuSignClient", () => {
  describe("JWT grant", () => {
    it("signs an RS256 assertion DocuSign accepts: iss integration key, sub user, aud account-d, 10 minutes, impersonation", async () => {
      const s = school();

      const account = await s.client().account();

      expect(account).toEqual({ accountId: ACCOUNT_ID, accountName: "Springfield Academy", baseUri: DEMO_BASE_URI });
      const [tokenCall] = docusign.callsTo("/oauth/token");
      expect(tokenCall!.origin).toBe(DEMO_OAUTH);
      expect(tokenCall!.headers.get("content-type")).toBe("application/x-www-form-urlencoded");
      expect(new URLSearchParams(tokenCall!.text).get("grant_type")).toBe("urn:ietf:params:oauth:grant-type:jwt-bearer");
      const assertion = assertionOf(tokenCall!);
      expect(decodeProtectedHeader(assertion)).toEqual({ alg: "RS256", typ: "JWT" });
      const { payload } = await jwtVerify(assertion, pair.publicKey, { algorithms: ["RS256"] });
      const iat = Math.floor(s.now() / 1000);
      expect(payload).toEqual({ iss: s.integrationKey, sub: s.userId, aud: "account-d.docusign.com", iat, exp: iat + 600, scope: "signature impersonation" });
      const [userinfo] = docusign.callsTo("/oauth/userinfo");
      expect(userinfo!.headers.get("authorization")).toMatch(/^Bearer eyJ/);
    });

    it("accepts the private key as PKCS#8 too", async () => {
      const s = school({ privateKey: pair.pkcs8Pem });
      await expect(s.client().account()).resolves.toMatchObject({ accountId: ACCOUNT_ID });
    });

    it("uses account.docusign.com, as host and audience, in production", async () => {
      const s = school();
      await s.client({ environment: "production" }).account();

      const [tokenCall] = docusign.callsTo("/oauth/token");
      expect(tokenCall!.origin).toBe("https://account.docusign.com");
      expect(decodeJwt(assertionOf(tokenCall!)).aud).toBe("account.docusign.com");
      expect(docusign.callsTo("/oauth/userinfo")[0]!.origin).toBe("https://account.docusign.com");
    });

    it("turns consent_required into the consent URL for this integration key", async () => {
      const s = school({ consented: false });

      const error = await errorOf(s.client().account());

      expect(error).toBeInstanceOf(DocuSignConsentRequiredError);
      const consentUrl = (error as DocuSignConsentRequiredError).consentUrl;
      expect(consentUrl).toBe(
        `${DEMO_OAUTH}/oauth/auth?response_type=code&scope=signature+impersonation&client_id=${s.integrationKey}&redirect_uri=${encodeURIComponent(REDIRECT)}`,
      );
      expect((error as DocuSignApiError).problemCode).toBe("docusign_oauth_error: consent_required");
      expect(docusign.callsTo("/oauth/userinfo")).toHaveLength(0);
    });

    it("names DocuSign's error when it refuses the key (invalid_grant, no_valid_keys_or_signatures) and never quotes a credential", async () => {
      const s = school({ privateKey: rsaKeyPair().pkcs1Pem });

      const error = (await errorOf(s.client().account())) as DocuSignApiError;

      expect(error).toBeInstanceOf(DocuSignApiError);
      expect([error.errorCode, error.httpStatus, error.problemCode]).toEqual(["invalid_grant", 400, "docusign_oauth_error: invalid_grant"]);
      expect(error.message).toContain("no_valid_keys_or_signatures");
      expect(error.message).toContain("not one of this integration key's key pairs");
      expect(error.message + error.stack).not.toContain(s.credentials.rsaPrivateKey.slice(40, 90));
    });

    it("refuses an unreadable private key before calling DocuSign", async () => {
      const s = school({ privateKey: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----" });
      const error = (await errorOf(s.client().account())) as DocuSignSetupError;
      expect(error).toBeInstanceOf(DocuSignSetupError);
      expect(error.code).toBe("ERR_DOCUSIGN_PRIVATE_KEY");
      expect(docusign.calls).toHaveLength(0);
    });
  });

  describe("token cache (per instance, per tenant + integration key + user)", () => {
    it("reuses one token and one userinfo across requests of the same school", async () => {
      const s = school();
      await s.client().account();
      await s.client().call("GET", "/templates");
      await s.client().call("GET", "/templates");

      expect(docusign.callsTo("/oauth/token")).toHaveLength(1);
      expect(docusign.callsTo("/oauth/userinfo")).toHaveLength(1);
      expect(docusign.callsTo("/templates")).toHaveLength(2);
    });

    it("shares one token request among concurrent calls", async () => {
      const s = school();
      await Promise.all([s.client().account(), s.client().account(), s.client().call("GET", "/templates")]);
      expect(docusign.callsTo("/oauth/token")).toHaveLength(1);
    });

    it("gives each tenant its own token", async () => {
      const a = school();
      const b = school();
      await a.client().account();
      await b.client().account();
      const subjects = docusign.callsTo("/oauth/token").map((c) => decodeJwt(assertionOf(c)).sub);
      expect(subjects).toEqual([a.userId, b.userId]);
    });

    it("renews the token shortly before its hour is up (at 55 minutes), keeping userinfo", async () => {
      const s = school();
      await s.client().call("GET", "/templates");

      s.advance(54 * MINUTE);
      await s.client().call("GET", "/templates");
      expect(docusign.callsTo("/oauth/token")).toHaveLength(1);

      s.advance(2 * MINUTE);
      await s.client().call("GET", "/templates");
      const tokenCalls = docusign.callsTo("/oauth/token");
      expect(tokenCalls).toHaveLength(2);
      expect(decodeJwt(assertionOf(tokenCalls[1]!)).iat).toBe(Math.floor(s.now() / 1000));
      expect(docusign.callsTo("/oauth/userinfo")).toHaveLength(1);
    });

    it("renews a short-lived token half-way through its life", async () => {
      docusign.setTokenLifetime(120);
      const s = school();
      await s.client().account();
      s.advance(59_000);
      await s.client().account();
      s.advance(2_000);
      await s.client().call("GET", "/templates");
      expect(docusign.callsTo("/oauth/token")).toHaveLength(2);
    });

    it("renews an expired or revoked token once when DocuSign answers 401, and retries the call", async () => {
      const s = school();
      await s.client().call("GET", "/templates");
      docusign.expireTokens();

      const body = (await s.client().call("GET", "/templates")) as { totalSetSize: string };

      expect(body.totalSetSize).toBe("2");
      expect(docusign.callsTo("/oauth/token")).toHaveLength(2);
      const templateCalls = docusign.callsTo("/templates");
      expect(templateCalls).toHaveLength(3);
      expect(templateCalls[1]!.headers.get("authorization")).not.toBe(templateCalls[2]!.headers.get("authorization"));
    });

    it("retries a 401 only once: a second 401 is DocuSign's error, not a loop", async () => {
      const s = school();
      docusign.fail("get", "/templates", 401, { errorCode: "AUTHORIZATION_INVALID_TOKEN", message: "The access token provided is expired, revoked or malformed." });

      const error = (await errorOf(s.client().call("GET", "/templates"))) as DocuSignApiError;

      expect(error).toBeInstanceOf(DocuSignApiError);
      expect([error.errorCode, error.httpStatus]).toEqual(["AUTHORIZATION_INVALID_TOKEN", 401]);
      expect(docusign.callsTo("/templates")).toHaveLength(2);
      expect(docusign.callsTo("/oauth/token")).toHaveLength(2);
    });

    it("renews the token for userinfo too when the cached one was revoked", async () => {
      const s = school();
      await s.client().account();
      docusign.expireTokens();
      s.advance(61 * MINUTE); // userinfo is cached for an hour; the token (renewed at 55 min) anyway

      await expect(s.client().account()).resolves.toMatchObject({ accountId: ACCOUNT_ID });
      expect(docusign.callsTo("/oauth/userinfo")).toHaveLength(2);
    });

    // The combined PDF (EnvelopeDocuments:get with documentId `combined`,
    // developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopedocuments/get) is streamed, not
    // buffered, yet a refused token is renewed and retried exactly as for call().
    describe("download", () => {
      /** An envelope sent from the stand-in's default template, so documents/combined answers its PDF. */
      async function sentEnvelope(s: ReturnType<typeof school>): Promise<string> {
        const created = (await s.client().call("POST", "/envelopes", {
          templateId: defaultTemplates()[0]!.templateId, status: "sent",
          templateRoles: [{ email: "parent@example.com", name: "Pat Parent", roleName: "signer" }],
        })) as { envelopeId: string };
        return created.envelopeId;
      }

      it("renews a revoked token once when DocuSign answers 401, and streams the retried PDF", async () => {
        const s = school();
        const envelopeId = await sentEnvelope(s);
        docusign.expireTokens();

        const pdf = await s.client().download(`/envelopes/${envelopeId}/documents/combined`);

        expect(pdf.headers.get("content-type")).toBe("application/pdf");
        expect(Buffer.from(await pdf.arrayBuffer()).equals(Buffer.from(FAKE_PDF))).toBe(true);
        expect(docusign.callsTo("/oauth/token")).toHaveLength(2);
        const downloads = docusign.callsTo("/documents/combined");
        expect(downloads.map((call) => [call.method, call.path, call.headers.get("accept")])).toEqual([
          ["GET", `/restapi/v2.1/accounts/${ACCOUNT_ID}/envelopes/${envelopeId}/documents/combined`, "application/pdf"],
          ["GET", `/restapi/v2.1/accounts/${ACCOUNT_ID}/envelopes/${envelopeId}/documents/combined`, "application/pdf"],
        ]);
        expect(downloads[0]!.headers.get("authorization")).not.toBe(downloads[1]!.headers.get("authorization"));
      });

      it("retries a 401 only once: a second 401 is DocuSign's error, not a loop", async () => {
        const s = school();
        docusign.fail("get", "/envelopes/:envelopeId/documents/combined", 401, {
          errorCode: "AUTHORIZATION_INVALID_TOKEN", message: "The access token provided is expired, revoked or malformed.",
        });

        const error = (await errorOf(s.client().download(`/envelopes/${crypto.randomUUID()}/documents/combined`))) as DocuSignApiError;

        expect(error).toBeInstanceOf(DocuSignApiError);
        expect([error.source, error.errorCode, error.httpStatus]).toEqual(["api", "AUTHORIZATION_INVALID_TOKEN", 401]);
        expect(docusign.callsTo("/documents/combined")).toHaveLength(2);
        expect(docusign.callsTo("/oauth/token")).toHaveLength(2);
      });

      it("does not retry any other error answer (404: no such envelope)", async () => {
        const s = school();

        const error = (await errorOf(s.client().download(`/envelopes/${crypto.randomUUID()}/documents/combined`))) as DocuSignApiError;

        expect([error.errorCode, error.httpStatus]).toEqual(["ENVELOPE_DOES_NOT_EXIST", 404]);
        expect(docusign.callsTo("/documents/combined")).toHaveLength(1);
        expect(docusign.callsTo("/oauth/token")).toHaveLength(1);
      });
    });

    it("with cache: false, asks for a fresh token even when one is cached (testing credentials that just changed)", async () => {
      const s = school();
      await s.client().account();
      await s.client({ cache: false }).account();
      expect(docusign.callsTo("/oauth/token")).toHaveLength(2);

      const broken = await errorOf(s.client({ cache: false, credentials: { ...s.credentials, rsaPrivateKey: rsaKeyPair().pkcs1Pem } }).account());
      expect((broken as DocuSignApiError).errorCode).toBe("invalid_grant");
    });
  });

  describe("account", () => {
    const accounts = [
      { account_id: ACCOUNT_ID, is_default: "true", account_name: "Springfield Academy", base_uri: DEMO_BASE_URI },
      { account_id: "0a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d", is_default: "false", account_name: "Springfield Europe", base_uri: EU_BASE_URI },
    ];

    it("uses the user's default account (is_default as DocuSign's string \"true\")", async () => {
      docusign.setAccounts([accounts[1]!, accounts[0]!]);
      await expect(school().client().account()).resolves.toEqual({ accountId: ACCOUNT_ID, accountName: "Springfield Academy", baseUri: DEMO_BASE_URI });
    });

    it("lets the configured account id win, with that account's base URI", async () => {
      docusign.setAccounts(accounts);
      const s = school();
      const client = createDocuSignClient({
        tenantId: s.tenantId, credentials: { ...s.credentials, accountId: accounts[1]!.account_id.toUpperCase() }, environment: "demo",
        fetch: (input, init) => globalThis.fetch(input, init), now: s.now, consentRedirectUri: REDIRECT,
      });

      expect(await client.account()).toMatchObject({ accountId: accounts[1]!.account_id, baseUri: EU_BASE_URI });
      await client.call("GET", "/templates");
      expect(docusign.callsTo("/templates")[0]!.origin).toBe(EU_BASE_URI);
      expect(docusign.callsTo("/templates")[0]!.path).toBe(`/restapi/v2.1/accounts/${accounts[1]!.account_id}/templates`);
    });

    it("refuses a configured account id that is not one of the user's", async () => {
      const s = school();
      const error = await errorOf(s.client({ credentials: { ...s.credentials, accountId: crypto.randomUUID() } }).account());
      expect(error).toBeInstanceOf(DocuSignSetupError);
      expect((error as DocuSignSetupError).code).toBe("ERR_DOCUSIGN_ACCOUNT");
    });

    it("refuses a user without accounts", async () => {
      docusign.setAccounts([]);
      expect(((await errorOf(school().client().account())) as DocuSignSetupError).code).toBe("ERR_DOCUSIGN_ACCOUNT");
    });
  });

  describe("DOCUSIGN_OAUTH_BASE / DOCUSIGN_API_BASE", () => {
    it("send OAuth calls to the OAuth base (audience unchanged) and REST calls to the API base instead of base_uri", async () => {
      const s = school();
      const client = s.client({ oauthBase: STAND_IN_OAUTH, apiBase: STAND_IN_API });

      expect(await client.account()).toMatchObject({ accountId: ACCOUNT_ID, baseUri: STAND_IN_API });
      await client.call("GET", "/templates?count=1");

      expect(docusign.calls.map((c) => `${c.method} ${c.origin}${c.path}`)).toEqual([
        `POST ${STAND_IN_OAUTH}/oauth/token`,
        `GET ${STAND_IN_OAUTH}/oauth/userinfo`,
        `GET ${STAND_IN_API}/restapi/v2.1/accounts/${ACCOUNT_ID}/templates`,
      ]);
      expect(decodeJwt(assertionOf(docusign.calls[0]!)).aud).toBe("account-d.docusign.com");
    });

    it("puts the OAuth base in the consent URL", async () => {
      const s = school({ consented: false });
      const error = (await errorOf(s.client({ oauthBase: STAND_IN_OAUTH }).account())) as DocuSignConsentRequiredError;
      expect(error.consentUrl.startsWith(`${STAND_IN_OAUTH}/oauth/auth?`)).toBe(true);
    });
  });

  describe("REST errors", () => {
    it("names DocuSign's errorCode and keeps its message (400 TEMPLATE_ID_INVALID), without retrying", async () => {
      const s = school();
      const error = (await errorOf(s.client().call("POST", "/envelopes", { templateId: "nope", status: "sent" }))) as DocuSignApiError;

      expect(error).toBeInstanceOf(DocuSignApiError);
      expect([error.source, error.errorCode, error.httpStatus, error.message]).toEqual(["api", "TEMPLATE_ID_INVALID", 400, "Invalid template ID."]);
      expect(error.problemCode).toBe("docusign_api_error: TEMPLATE_ID_INVALID");
      expect(docusign.callsTo("/envelopes")).toHaveLength(1);
    });

    it("reads Retry-After of a rate limit (429)", async () => {
      docusign.fail("get", "/templates", 429, { errorCode: "HOURLY_APIINVOCATION_LIMIT_EXCEEDED", message: "The maximum number of hourly API invocations has been exceeded." }, { "retry-after": "120" });
      const error = (await errorOf(school().client().call("GET", "/templates"))) as DocuSignApiError;
      expect([error.errorCode, error.httpStatus, error.retryAfterSeconds]).toEqual(["HOURLY_APIINVOCATION_LIMIT_EXCEEDED", 429, 120]);
    });

    it("turns a network failure into connection_error and never re-sends an envelope", async () => {
      docusign.disconnect("post", "/envelopes");
      const error = (await errorOf(school().client().call("POST", "/envelopes", { templateId: "t", status: "sent" }))) as DocuSignApiError;
      expect([error.source, error.errorCode, error.httpStatus, error.problemCode]).toEqual(["connection", "connection_error", null, "docusign_connection_error"]);
      expect(docusign.callsTo("/envelopes")).toHaveLength(1);
    });

    it("turns an unreachable OAuth host into connection_error", async () => {
      docusign.disconnect("post", "/oauth/token");
      expect(((await errorOf(school().client().account())) as DocuSignApiError).errorCode).toBe("connection_error");
    });

    it("reports an error without DocuSign's errorCode by its HTTP status", async () => {
      const s = school();
      docusign.fail("get", "/templates", 503, "Service Unavailable");
      const error = (await errorOf(s.client().call("GET", "/templates"))) as DocuSignApiError;
      expect([error.errorCode, error.httpStatus]).toEqual(["http_503", 503]);
    });
  });
});
