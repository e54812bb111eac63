// What the page shows for each integration: labelled fields mirroring functions/_shared/integrations/catalog.ts
// (the server validates; these only shape the form), and the short setup steps at the provider.
// Credential fields are secrets: never pre-filled, shown as the masked hint the API returns.

const TEMPLATE_KINDS = [
  "welcome", "password_reset", "payment_confirmation", "contract_notification", "marketing", "payment_action_required", "payment_failed",
];

export const INTEGRATIONS = [
  {
    key: "stripe",
    name: "Stripe",
    purpose: "Enrollment fees and tuition payments",
    credentials: [
      { name: "secretKey", label: "Secret key", hint: "sk_test_… or sk_live_… (a restricted rk_… key works with Balance: read)" },
      { name: "publishableKey", label: "Publishable key", hint: "pk_test_… or pk_live_…" },
      { name: "webhookSecret", label: "Webhook signing secret", hint: "whsec_… from the webhook endpoint at Stripe" },
    ],
    settings: [
      { name: "currency", label: "Currency", type: "text", hint: "3-letter ISO code, e.g. usd", maxlength: 3 },
      { name: "enrollmentFeeAmount", label: "Enrollment fee", type: "number", hint: "in minor units (cents): 15000 is 150.00" },
      { name: "tuitionPriceId", label: "Tuition price ID", type: "text", hint: "price_… of the recurring tuition price" },
    ],
    steps: [
      "In the Stripe Dashboard open Developers → Webhooks → Add endpoint.",
      "Paste the webhook URL above and select the payment_intent.*, charge.refunded, refund.*, checkout.session.*, invoice.* and customer.subscription.* events.",
      "Copy the endpoint's Signing secret (whsec_…) into “Webhook signing secret”, then Save Configuration.",
    ],
  },
  {
    key: "docusign",
    name: "DocuSign",
    purpose: "Enrollment contracts",
    credentials: [
      { name: "integrationKey", label: "Integration key", hint: "the app's client ID" },
      { name: "userId", label: "User ID", hint: "the API user to act as (impersonation)" },
      { name: "accountId", label: "Account ID" },
      { name: "rsaPrivateKey", label: "RSA private key", multiline: true, hint: "PEM, -----BEGIN RSA PRIVATE KEY-----…" },
      { name: "hmacKeys", label: "Connect HMAC keys", multiline: true, list: true, hint: "one key per line" },
    ],
    settings: [
      { name: "environment", label: "Environment", type: "select", options: ["demo", "production"] },
      { name: "templateId", label: "Contract template ID", type: "text" },
      { name: "signerRoleName", label: "Signer role name", type: "text", hint: "the template role the family's signer fills (default: signer)" },
      { name: "embeddedSigning", label: "Families sign in the portal (embedded signing; DocuSign sends no email)", type: "checkbox" },
    ],
    steps: [
      "In DocuSign eSignature Settings open Connect → Add Configuration → Custom.",
      "Paste the webhook URL above, choose JSON (SIM) messages and the envelope and recipient events.",
      "Turn on “Include Custom Fields” (it links events to the school and enrollment); leave “Include Documents” off (over 1 MiB is refused; the signed PDF is fetched on demand).",
      "Turn on “Include HMAC Signature”, add a key, and paste it into “Connect HMAC keys”.",
    ],
  },
  {
    key: "zoom",
    name: "Zoom",
    purpose: "Online classes",
    credentials: [
      { name: "accountId", label: "Account ID" },
      { name: "clientId", label: "Client ID" },
      { name: "clientSecret", label: "Client secret" },
      { name: "webhookSecretToken", label: "Webhook secret token" },
      { name: "sdkKey", label: "Meeting SDK key" },
      { name: "sdkSecret", label: "Meeting SDK secret" },
    ],
    settings: [
      { name: "autoRecording", label: "Automatic recording", type: "select", options: ["none", "local", "cloud"] },
      { name: "defaultHostEmail", label: "Default host email", type: "email", hint: "the Zoom user classes are created under when none is given (else the app's own user)" },
    ],
    steps: [
      "In the Zoom App Marketplace open your Server-to-Server OAuth app → Scopes and add meeting:write:meeting:admin, meeting:update:meeting:admin, meeting:delete:meeting:admin, user:read:user:admin and user:read:token:admin (teachers start their classes with it).",
      "Open Feature → Event Subscriptions and add the webhook URL above as the endpoint; Zoom validates it right away.",
      "Copy the app's Secret Token into “Webhook secret token”, save here, then choose the events: meeting.started, meeting.ended, meeting.updated, meeting.deleted, meeting.participant_joined, meeting.participant_left, recording.completed.",
    ],
  },
  {
    key: "sendgrid",
    name: "SendGrid",
    purpose: "Email to families",
    credentials: [
      { name: "apiKey", label: "API key", hint: "SG.… with Mail Send access" },
      { name: "eventWebhookPublicKey", label: "Event Webhook verification key", multiline: true, hint: "the base64 public key of the Signed Event Webhook" },
    ],
    settings: [
      { name: "fromEmail", label: "From email", type: "email" },
      { name: "fromName", label: "From name", type: "text" },
      { name: "sandboxMode", label: "Sandbox mode (nothing is delivered)", type: "checkbox" },
      { name: "openTracking", label: "Open tracking", type: "checkbox" },
      { name: "clickTracking", label: "Click tracking", type: "checkbox" },
      ...TEMPLATE_KINDS.map((kind) => ({ name: `templates.${kind}`, label: `Template: ${kind.replaceAll("_", " ")}`, type: "text", hint: "d-…" })),
    ],
    steps: [
      "In SendGrid open Settings → Mail Settings → Event Webhook → Create new webhook.",
      "Paste the webhook URL above as the Post URL and select the delivery and engagement events.",
      "Turn on Signed Event Webhook, copy the verification key into “Event Webhook verification key”, then save.",
    ],
  },
];
