import * as z from "zod";
import { EMAIL_KINDS } from "../domain/email/kinds.ts";

/** The four integrations a tenant can configure; also the webhook `source` names. */
export const INTEGRATION_KEYS = ["stripe", "docusign", "zoom", "sendgrid"] as const;
export type IntegrationKey = (typeof INTEGRATION_KEYS)[number];

export function isIntegrationKey(value: string): value is IntegrationKey {
  return (INTEGRATION_KEYS as readonly string[]).includes(value);
}

// Secrets are trimmed: a pasted trailing newline otherwise fails every signature check silently.
const secret = (pattern?: RegExp, hint?: string) => {
  const base = z.string().trim().min(1, "must not be empty").max(10_000);
  return pattern ? base.regex(pattern, hint) : base;
};
const pem = secret(/-----BEGIN (RSA )?PRIVATE KEY-----[\s\S]+-----END (RSA )?PRIVATE KEY-----/, "must be a PEM private key");

/**
 * A field enabling needs, named by the path a 400 reports it under: what the integration's main job cannot
 * run without (DESIGN.md, the enabling paragraph) — nothing less, and nothing more: optional extras such as
 * SendGrid's Event Webhook key or Zoom's SDK keys never block enabling.
 */
export type RequiredField = `credentials.${string}` | `settings.${string}`;

/** Per integration: its credential fields (all secret, always masked on read), settings, and what enabling needs. */
export const CATALOG = {
  stripe: {
    credentials: z.strictObject({
      secretKey: secret(/^(sk|rk)_(test|live)_\w+$/, "must start with sk_test_, sk_live_, rk_test_ or rk_live_"),
      publishableKey: secret(/^pk_(test|live)_\w+$/, "must start with pk_test_ or pk_live_"),
      webhookSecret: secret(/^whsec_\S+$/, "must start with whsec_"),
    }),
    settings: z.strictObject({
      currency: z.string().trim().toLowerCase().regex(/^[a-z]{3}$/, "must be a 3-letter ISO currency code").default("usd"),
      enrollmentFeeAmount: z.number().int("must be whole minor units (cents)").nonnegative().max(99_999_999).optional(),
      tuitionPriceId: z.string().trim().regex(/^price_\w+$/, "must start with price_").optional(),
    }),
    requiredToEnable: ["credentials.secretKey", "credentials.webhookSecret"],
  },
  docusign: {
    credentials: z.strictObject({
      integrationKey: secret(),
      userId: secret(),
      accountId: secret(),
      rsaPrivateKey: pem,
      hmacKeys: z.array(secret()).min(1).max(10),
    }),
    settings: z.strictObject({
      environment: z.enum(["demo", "production"]).default("demo"),
      templateId: z.string().trim().min(1).optional(),
      // The template role the enrollment's signer fills when a contract is sent ("signer" when not set).
      signerRoleName: z.string().trim().min(1).max(100).optional(),
      // true: contracts are sent for embedded signing (the signer is a `clientUserId` recipient who signs in
      // the portal through POST /api/enrollments/{id}/contract/signing-url; DocuSign sends no email).
      embeddedSigning: z.boolean().optional(),
    }),
    requiredToEnable: ["credentials.integrationKey", "credentials.userId", "credentials.rsaPrivateKey", "credentials.hmacKeys"],
  },
  zoom: {
    credentials: z.strictObject({
      accountId: secret(),
      clientId: secret(),
      clientSecret: secret(),
      webhookSecretToken: secret(),
      sdkKey: secret(),
      sdkSecret: secret(),
    }),
    settings: z.strictObject({
      autoRecording: z.enum(["none", "local", "cloud"]).default("none"),
      // The Zoom user (a teacher's email) a class is created under when the admin names none; else `me`.
      defaultHostEmail: z.string().trim().toLowerCase().max(320).pipe(z.email("must be the email of a user of the school's Zoom account")).optional(),
    }),
    requiredToEnable: ["credentials.accountId", "credentials.clientId", "credentials.clientSecret", "credentials.webhookSecretToken"],
  },
  sendgrid: {
    credentials: z.strictObject({
      apiKey: secret(/^SG\.\S+$/, "must start with SG."),
      eventWebhookPublicKey: secret(/^[A-Za-z0-9+/=\s]+$/, "must be the base64 public key SendGrid shows"),
    }),
    settings: z.strictObject({
      fromEmail: z.email().optional(),
      fromName: z.string().trim().max(200).optional(),
      sandboxMode: z.boolean().default(false),
      openTracking: z.boolean().default(true),
      clickTracking: z.boolean().default(true),
      // partialRecord: a school may set any subset of the templates (z.record with enum keys requires all of them).
      templates: z.partialRecord(
        z.enum(EMAIL_KINDS),
        z.string().trim().regex(/^d-[0-9a-f]+$/i, "must be a dynamic template id (d-…)"),
      ).optional(),
      // SendGrid refuses nothing without it, but a marketing email must let its reader unsubscribe (CAN-SPAM):
      // `marketing` messages are not sent until this names the school's unsubscribe group (asm.group_id).
      unsubscribeGroupId: z.number().int("must be a whole number").positive().max(2_147_483_647).optional(),
      // An EU-pinned SendGrid subuser only answers on api.eu.sendgrid.com.
      dataResidency: z.enum(["global", "eu"]).default("global"),
    }),
    // The Event Webhook key is optional: until it is set the sendgrid webhook answers 404 (nothing to verify with).
    requiredToEnable: ["credentials.apiKey", "settings.fromEmail"],
  },
} as const satisfies Record<IntegrationKey, {
  credentials: z.ZodObject;
  settings: z.ZodObject;
  requiredToEnable: readonly RequiredField[];
}>;

export type Credentials<K extends IntegrationKey> = Partial<z.infer<(typeof CATALOG)[K]["credentials"]>>;
export type Settings<K extends IntegrationKey> = z.infer<(typeof CATALOG)[K]["settings"]>;
