// DocuSign's shared code on Deno (Supabase's runtime): the Connect verifier with signatures made by WebCrypto,
// and the JWT-grant signing key — DocuSign's PKCS#1 PEM converted to PKCS#8 for Deno's WebCrypto — producing
// an RS256 assertion that verifies against the key pair's public half.
import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { decodeProtectedHeader, importSPKI, jwtVerify } from "jose";
import { signJwtAssertion } from "../../functions/_shared/providers/docusign/jwt-assertion.ts";
import { importRsaSigningKey } from "../../functions/_shared/providers/docusign/private-key.ts";
import { verifyDocuSign } from "../../functions/_shared/verify/docusign.ts";
import { WebhookVerificationError, type WebhookVerificationCode } from "../../functions/_shared/verify/errors.ts";

const KEY = "dGhpcyBpcyBhIGNvbm5lY3QgaG1hYyBrZXkgZm9yIGRlbm8=";
const NEW_KEY = "bmV3IGNvbm5lY3Qga2V5IGFmdGVyIHJvdGF0aW9uIG9uIGRlbm8=";
const BODY = JSON.stringify({
  event: "envelope-completed", apiVersion: "v2.1", retryCount: 0, configurationId: 10517354,
  generatedDateTime: "2025-05-30T18:03:50.4233752Z",
  data: { accountId: "acc", userId: "usr", envelopeId: "7c9a1f0e-0000-4000-8000-000000000001", note: "Zoë Ñúñez 学費 🎓" },
});

/** DocuSign's scheme on WebCrypto: base64(HMAC-SHA256(key string, raw body)). */
async function connectSignature(body: string, key: string): Promise<string> {
  const hmac = await crypto.subtle.importKey("raw", new TextEncoder().encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return btoa(String.fromCharCode(...new Uint8Array(await crypto.subtle.sign("HMAC", hmac, new TextEncoder().encode(body)))));
}

async function outcome(payload: string, headers: Record<string, string>, secrets: string[]): Promise<"accept" | WebhookVerificationCode> {
  try {
    await verifyDocuSign({ payload, headers: new Headers(headers), secrets });
    return "accept";
  } catch (error) {
    if (error instanceof WebhookVerificationError) return error.code;
    throw error;
  }
}

const SIGNATURE = await connectSignature(BODY, KEY);

const cases: [name: string, expected: "accept" | WebhookVerificationCode, payload: string, headers: Record<string, string>, secrets: string[]][] = [
  ["valid", "accept", BODY, { "X-DocuSign-Signature-1": SIGNATURE }, [KEY]],
  ["the new key's signature in header 2 during rotation", "accept", BODY, { "X-DocuSign-Signature-1": "AAAA", "X-DocuSign-Signature-2": SIGNATURE }, [NEW_KEY, KEY]],
  ["no signature header", "ERR_WEBHOOK_MISSING_HEADER", BODY, {}, [KEY]],
  ["signed with another key", "ERR_WEBHOOK_SIGNATURE", BODY, { "X-DocuSign-Signature-1": SIGNATURE }, [NEW_KEY]],
  ["a truncated body", "ERR_WEBHOOK_SIGNATURE", BODY.slice(0, -2), { "X-DocuSign-Signature-1": SIGNATURE }, [KEY]],
  ["a garbage signature", "ERR_WEBHOOK_SIGNATURE", BODY, { "X-DocuSign-Signature-1": "not base64 at all" }, [KEY]],
];

for (const [name, expected, payload, headers, secrets] of cases) {
  Deno.test(`verifyDocuSign: ${name} → ${expected}`, async () => {
    assert.equal(await outcome(payload, headers, secrets), expected);
  });
}

Deno.test("verifyDocuSign: returns the parsed event, non-ASCII text intact", async () => {
  const event = await verifyDocuSign({ payload: BODY, headers: new Headers({ "x-docusign-signature-1": SIGNATURE }), secrets: [KEY] });
  assert.deepEqual(event, JSON.parse(BODY));
});

Deno.test("JWT grant on Deno: a PKCS#1 PEM (converted to PKCS#8) signs an RS256 assertion the public key verifies", async () => {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pkcs1Pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  assert.match(pkcs1Pem, /^-----BEGIN RSA PRIVATE KEY-----/);

  const assertion = await signJwtAssertion({
    integrationKey: "ik-deno", userId: "user-deno", audience: "account-d.docusign.com",
    key: await importRsaSigningKey(pkcs1Pem), nowSeconds: Math.floor(Date.now() / 1000),
  });

  assert.deepEqual(decodeProtectedHeader(assertion), { alg: "RS256", typ: "JWT" });
  const spki = await importSPKI(publicKey.export({ type: "spki", format: "pem" }).toString(), "RS256");
  const { payload } = await jwtVerify(assertion, spki, { issuer: "ik-deno", subject: "user-deno", audience: "account-d.docusign.com" });
  assert.equal(payload.scope, "signature impersonation");
  assert.equal(payload.exp! - payload.iat!, 600);
});
