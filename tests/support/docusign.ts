// DocuSign test material made with Node's crypto, independent of the code under test: an RSA key pair as
// DocuSign's admin hands it out (PKCS#1 PEM) and as PKCS#8, Connect HMAC signatures per DocuSign's documented
// scheme (base64 HMAC-SHA256 of the raw body with the key string), and Connect JSON SIM events.
import { createHmac, generateKeyPairSync, type KeyObject } from "node:crypto";
import type { Services } from "../../functions/_shared/context.ts";
import { defaultTemplates, type DocuSignApi } from "./docusign-api.ts";
import { configureIntegration, createTenant } from "./tenants.ts";

export interface RsaKeyPair {
  /** `-----BEGIN RSA PRIVATE KEY-----`, what DocuSign's "Add RSA keypair" shows. */
  pkcs1Pem: string;
  /** `-----BEGIN PRIVATE KEY-----`. */
  pkcs8Pem: string;
  publicKey: KeyObject;
}

/** A fresh 2048-bit RSA key pair (DocuSign's size). */
export function rsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return {
    pkcs1Pem: privateKey.export({ type: "pkcs1", format: "pem" }).toString(),
    pkcs8Pem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
    publicKey,
  };
}

/** A Connect HMAC key as DocuSign shows it (base64 of 32 random bytes, used as the key string as-is). */
export const connectHmacKey = () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");

/** `X-DocuSign-Signature-N`: base64(HMAC-SHA256(key, raw body)), per developers.docusign.com/platform/webhooks/connect/validate. */
export function connectSignature(body: string | Uint8Array, key: string): string {
  return createHmac("sha256", key).update(body).digest("base64");
}

/** A Connect JSON SIM event as DocuSign delivers it (apiVersion v2.1, data.envelopeId, generatedDateTime with 7 decimals). */
export function connectEvent(
  event: string,
  fields: {
    envelopeId?: string;
    generatedDateTime?: string;
    recipientId?: string;
    retryCount?: number;
    accountId?: string;
    envelopeSummary?: Record<string, unknown>;
  } = {},
) {
  const envelopeId = fields.envelopeId ?? crypto.randomUUID();
  return {
    event,
    apiVersion: "v2.1",
    uri: `/restapi/v2.1/accounts/${fields.accountId ?? "f7b0e1c2-0000-4000-8000-000000000001"}/envelopes/${envelopeId}`,
    retryCount: fields.retryCount ?? 0,
    configurationId: 10_517_354,
    generatedDateTime: fields.generatedDateTime ?? "2025-05-30T18:03:50.4233752Z",
    data: {
      accountId: fields.accountId ?? "f7b0e1c2-0000-4000-8000-000000000001",
      userId: "0f9a8b7c-0000-4000-8000-000000000002",
      envelopeId,
      ...(fields.recipientId !== undefined ? { recipientId: fields.recipientId } : {}),
      ...(fields.envelopeSummary ? { envelopeSummary: fields.envelopeSummary } : {}),
    },
  };
}

/**
 * A Connect delivery for `tenantId` (or the single-school route): one `X-DocuSign-Signature-<N>` header per
 * key, numbered from 1 as DocuSign numbers its active keys; `headers` adds or replaces any.
 */
export function signedConnectRequest(
  tenantId: string | undefined,
  body: string | Uint8Array,
  options: { keys?: readonly string[]; headers?: Record<string, string>; baseUrl?: string } = {},
): Request {
  const headers = new Headers({ "content-type": "application/json", "user-agent": "DocuSign Connect" });
  (options.keys ?? []).forEach((key, i) => headers.set(`X-DocuSign-Signature-${i + 1}`, connectSignature(body, key)));
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const path = tenantId ? `/api/webhooks/docusign/${tenantId}` : "/api/webhooks/docusign";
  return new Request(`${options.baseUrl ?? "http://localhost"}${path}`, { method: "POST", headers, body: body as BodyInit });
}

/**
 * A school with DocuSign configured whose integration key is registered on the fake DocuSign `api` with
 * `pair`'s public key (and the user's consent unless `consented: false`); returns its id and credentials.
 */
export async function createDocuSignSchool(
  services: Services,
  api: Pick<DocuSignApi, "registerApp">,
  pair: RsaKeyPair,
  options: { enabled?: boolean; consented?: boolean; settings?: Record<string, unknown>; accountId?: string } = {},
) {
  const tenantId = await createTenant(services.db);
  const credentials = {
    integrationKey: crypto.randomUUID(),
    userId: crypto.randomUUID(),
    rsaPrivateKey: pair.pkcs1Pem,
    hmacKeys: [connectHmacKey()],
    ...(options.accountId ? { accountId: options.accountId } : {}),
  };
  api.registerApp({ integrationKey: credentials.integrationKey, publicKey: pair.publicKey, consentedUsers: options.consented === false ? [] : [credentials.userId] });
  await configureIntegration(services, tenantId, "docusign", credentials, {
    enabled: options.enabled ?? true,
    settings: options.settings ?? { environment: "demo", templateId: defaultTemplates()[0]!.templateId },
  });
  return { tenantId, credentials };
}
