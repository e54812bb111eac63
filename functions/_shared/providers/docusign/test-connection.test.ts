import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Db } from "../../db/port.ts";
import { ACCOUNT_ID, createDocuSignApi, DEMO_BASE_URI } from "../../../../tests/support/docusign-api.ts";
import { rsaKeyPair } from "../../../../tests/support/docusign.ts";
import { contextFor, testServices } from "../../../../tests/support/services.ts";
import { CONNECTION_TESTERS } from "../connection-testers.ts";
import { testDocuSignConnection } from "./test-connection.ts";

const docusign = createDocuSignApi();
beforeAll(() => docusign.listen());
afterEach(() => docusign.reset());
afterAll(() => docusign.close());

const pair = rsaKeyPair();

// The tester never touches the database; it only needs the context's config, clock, fetch and logger.
async function run(credentials: Record<string, unknown>, settings: Record<string, unknown> = { environment: "demo" }) {
  const services = await testServices(undefined as unknown as Db);
  return testDocuSignConnection({ tenantId: crypto.randomUUID(), credentials, settings, ctx: contextFor(services) });
}

function school(consented = true) {
  const integrationKey = crypto.randomUUID();
  const userId = crypto.randomUUID();
  docusign.registerApp({ integrationKey, publicKey: pair.publicKey, consentedUsers: consented ? [userId] : [] });
  return { integrationKey, userId, rsaPrivateKey: pair.pkcs1Pem, hmacKeys: ["k1"] };
}

describe("testDocuSignConnection", () => {
  it("is the registered tester for docusign", async () => {
    expect(await CONNECTION_TESTERS.docusign!()).toBe(testDocuSignConnection);
  });

  it("reports the account name, id and base URI after a token and userinfo", async () => {
    const result = await run(school());

    expect(result).toEqual({ ok: true, details: { environment: "demo", accountId: ACCOUNT_ID, accountName: "Springfield Academy", baseUri: DEMO_BASE_URI } });
    expect(docusign.calls.map((c) => c.path)).toEqual(["/oauth/token", "/oauth/userinfo"]);
  });

  it("reports the consent URL when the user has not consented", async () => {
    const credentials = school(false);
    const result = await run(credentials);

    expect(result).toMatchObject({ ok: false, code: "consent_required" });
    if (result.ok) throw new Error("unreachable");
    expect(result.details!.consentUrl).toBe(
      `https://account-d.docusign.com/oauth/auth?response_type=code&scope=signature+impersonation&client_id=${credentials.integrationKey}&redirect_uri=${encodeURIComponent("https://ips.example.test/admin/config/integrations")}`,
    );
  });

  it("tests with a fresh token, so a just-changed wrong key fails even though the old one has a cached token", async () => {
    const credentials = school();
    expect((await run(credentials)).ok).toBe(true);

    const result = await run({ ...credentials, rsaPrivateKey: rsaKeyPair().pkcs1Pem });

    expect(result).toMatchObject({ ok: false, code: "invalid_grant" });
    expect(docusign.callsTo("/oauth/token")).toHaveLength(2);
  });

  it("names what is missing, never calling DocuSign", async () => {
    const result = await run({ integrationKey: "ik" });
    expect(result).toMatchObject({ ok: false, code: "ERR_DOCUSIGN_CREDENTIALS", error: "the DocuSign integration has no userId, rsaPrivateKey" });
    expect(docusign.calls).toHaveLength(0);
  });

  it("reports an unreachable DocuSign and invalid settings", async () => {
    docusign.disconnect("post", "/oauth/token");
    expect(await run(school())).toMatchObject({ ok: false, code: "connection_error", error: "DocuSign could not be reached" });
    expect(await run(school(), { environment: "staging" })).toMatchObject({ ok: false, code: "invalid_settings" });
  });

  it("never returns the private key or the access token", async () => {
    const credentials = school();
    const text = JSON.stringify([await run(credentials), await run({ ...credentials, rsaPrivateKey: rsaKeyPair().pkcs1Pem })]);
    expect(text).not.toContain(pair.pkcs1Pem.slice(40, 100));
    expect(text).not.toMatch(/eyJ0eXAiOiJNVCIs/);
  });
});
