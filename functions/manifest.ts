// The one list of functions. The dev server mounts these routes, the IaC creates one Lambda and route
// per entry, and supabase/config.toml is checked against it. To add a function: copy a function's folder
// (its handler.ts exports `handler`), rename it to the new slug, and add one entry here.
// Pure data on purpose: a Lambda bundle imports this list, so it must not pull in every handler.

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Environment a function needs at run time (values come from Secrets Manager/SSM or Supabase secrets). */
export type SecretName = "DATABASE_URL" | "ENCRYPTION_KEY" | "ENCRYPTION_KEYS_OLD" | "SUPABASE_JWT_SECRET";

export interface FunctionDefinition {
  /** Kebab-case, identical on every runtime: folder name, Lambda name suffix, Supabase function name. */
  slug: string;
  /** Paths use `{param}` as API Gateway and DESIGN.md do. */
  routes: readonly { method: HttpMethod; path: string }[];
  /** `signature`: the provider's signature is the auth (Supabase `verify_jwt = false`); others need a JWT. */
  auth: "signature" | "admin" | "user" | "service_role";
  secrets: readonly SecretName[];
  timeoutSeconds: number;
  /**
   * For a job: an EventBridge schedule (`rate(5 minutes)`, `cron(0 3 * * ? *)`) on which AWS invokes the
   * function (infra/scheduled-jobs.ts). A job may have no routes.
   */
  schedule?: string;
}

const WEBHOOK_SECRETS = ["DATABASE_URL", "ENCRYPTION_KEY", "ENCRYPTION_KEYS_OLD"] as const;
const ADMIN_SECRETS = ["DATABASE_URL", "ENCRYPTION_KEY", "ENCRYPTION_KEYS_OLD", "SUPABASE_JWT_SECRET"] as const;
// A signed-in user's token is verified like an admin's; the tenant's Stripe key is opened from the vault.
const USER_SECRETS = ADMIN_SECRETS;

export const FUNCTIONS: readonly FunctionDefinition[] = [
  {
    slug: "stripe-webhook",
    routes: [
      { method: "POST", path: "/api/webhooks/stripe/{tenantId}" },
      { method: "POST", path: "/api/webhooks/stripe" },
    ],
    auth: "signature",
    secrets: WEBHOOK_SECRETS,
    timeoutSeconds: 10,
  },
  {
    // DocuSign Connect. No outbound call: verify, store, one statement (or a short transaction) per event.
    slug: "docusign-webhook",
    routes: [
      { method: "POST", path: "/api/webhooks/docusign/{tenantId}" },
      { method: "POST", path: "/api/webhooks/docusign" },
    ],
    auth: "signature",
    secrets: WEBHOOK_SECRETS,
    timeoutSeconds: 10,
  },
  {
    // Zoom retries after 3 s without an answer: no outbound call, one verify and one atomic statement.
    slug: "zoom-webhook",
    routes: [
      { method: "POST", path: "/api/webhooks/zoom/{tenantId}" },
      { method: "POST", path: "/api/webhooks/zoom" },
    ],
    auth: "signature",
    secrets: WEBHOOK_SECRETS,
    timeoutSeconds: 10,
  },
  {
    // Up to four Zoom calls of at most 5 s each (token, the call, both again after a 401) plus the database.
    slug: "zoom-meetings",
    routes: [
      { method: "GET", path: "/api/admin/zoom/meetings" },
      { method: "POST", path: "/api/admin/zoom/meetings" },
      { method: "PATCH", path: "/api/admin/zoom/meetings/{id}" },
      { method: "DELETE", path: "/api/admin/zoom/meetings/{id}" },
      { method: "GET", path: "/api/admin/zoom/meetings/{id}/participants" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 25,
  },
  {
    // Signs locally with the school's SDK secret; a host (role 1) also gets its ZAK: up to four Zoom calls
    // of at most 5 s each (token, the ZAK, both again after a 401) plus the database.
    slug: "zoom-sdk-signature",
    routes: [{ method: "POST", path: "/api/zoom/sdk-signature" }],
    auth: "user",
    secrets: USER_SECRETS,
    timeoutSeconds: 25,
  },
  {
    // Token and userinfo (6 s each), the envelope POST (up to 45 s; the function's 25 s may end it first — a test
    // envelope is recorded nowhere, so nothing is left half-done).
    slug: "docusign-test-send",
    routes: [{ method: "POST", path: "/api/admin/integrations/docusign/test-send" }],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 25,
  },
  {
    // Token + userinfo (6 s each) and the envelope POST (up to 45 s, no row lock held): API Gateway's 29 s
    // may end a slow send first, which leaves the enrollment `sending` for the safe retry (look-up first).
    slug: "docusign-admin",
    routes: [
      { method: "GET", path: "/api/admin/integrations/docusign/templates" },
      { method: "POST", path: "/api/admin/enrollments/{id}/contract" },
      { method: "GET", path: "/api/admin/enrollments/{id}/contract/document" },
      { method: "POST", path: "/api/admin/enrollments/{id}/contract/void" },
      { method: "POST", path: "/api/admin/enrollments/{id}/contract/resend" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 29,
  },
  {
    // A member's embedded-signing URL: token, userinfo and the recipient view, 6 s each at most.
    slug: "docusign-signing-url",
    routes: [{ method: "POST", path: "/api/enrollments/{id}/contract/signing-url" }],
    auth: "user",
    secrets: USER_SECRETS,
    timeoutSeconds: 25,
  },
  {
    // Who an enrollment belongs to (DESIGN.md "Families"): one statement and its audit row, no outbound call.
    slug: "admin-enrollment-members",
    routes: [
      { method: "PUT", path: "/api/admin/enrollments/{id}/members/{userId}" },
      { method: "DELETE", path: "/api/admin/enrollments/{id}/members/{userId}" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 10,
  },
  {
    slug: "admin-integrations",
    routes: [
      { method: "GET", path: "/api/admin/integrations" },
      { method: "GET", path: "/api/admin/integrations/{key}" },
      { method: "PUT", path: "/api/admin/integrations/{key}" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 10,
  },
  {
    // Calls Stripe (6 s timeout, one retry) while holding the enrollment's row lock: 15 s leaves room for both.
    slug: "checkout",
    routes: [
      { method: "POST", path: "/api/checkout/enrollment-fee" },
      { method: "POST", path: "/api/checkout/tuition" },
      { method: "POST", path: "/api/billing/portal" },
      { method: "GET", path: "/api/checkout/enrollments/{enrollmentId}" },
    ],
    auth: "user",
    secrets: USER_SECRETS,
    timeoutSeconds: 15,
  },
  {
    // Refunds call Stripe; a CSV export reads up to 10,000 rows.
    slug: "admin-payments",
    routes: [
      { method: "GET", path: "/api/admin/payments" },
      { method: "GET", path: "/api/admin/subscriptions" },
      { method: "POST", path: "/api/admin/payments/{id}/refund" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 15,
  },
  {
    // Calls the provider (Stripe's SDK: 6 s timeout, one retry; DocuSign: token then userinfo) once per test.
    slug: "admin-integration-test",
    routes: [{ method: "POST", path: "/api/admin/integrations/{key}/test" }],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 20,
  },
  {
    // The tenant's stored webhook events (newest first), replaying one, and failed signature attempts.
    slug: "admin-webhook-events",
    routes: [
      { method: "GET", path: "/api/admin/webhook-events" },
      { method: "GET", path: "/api/admin/webhook-events/signature-failures" },
      { method: "POST", path: "/api/admin/webhook-events/{id}/replay" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 15,
  },
  {
    // Aggregates over the tenant's last 7 days (health) or up to 90 days (metrics).
    slug: "admin-health",
    routes: [
      { method: "GET", path: "/api/admin/health" },
      { method: "GET", path: "/api/admin/metrics" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 10,
  },
  {
    // Re-applies failed webhook events with backoff, then dead-letters them. Stops claiming after 40 s.
    slug: "webhook-retry",
    routes: [{ method: "POST", path: "/api/jobs/webhook-retry" }],
    auth: "service_role",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 60,
    schedule: "rate(1 minute)",
  },
  {
    // Ingests Stripe events Stripe could not deliver (last 30 days), tenant by tenant; stops after 240 s.
    slug: "stripe-reconcile",
    routes: [{ method: "POST", path: "/api/jobs/stripe-reconcile" }],
    auth: "service_role",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 300,
    schedule: "rate(1 hour)",
  },
  {
    // SendGrid's Event Webhook. No outbound call, but one atomic statement per event of a batch, and a batch
    // may hold thousands of events (the body limit is 1 MiB): 29 s — all API Gateway's 30 s allow — leaves room for a full one.
    slug: "sendgrid-webhook",
    routes: [
      { method: "POST", path: "/api/webhooks/sendgrid/{tenantId}" },
      { method: "POST", path: "/api/webhooks/sendgrid" },
    ],
    auth: "signature",
    secrets: WEBHOOK_SECRETS,
    timeoutSeconds: 29,
  },
  {
    // The outbox's sender. Claims no new batch after 30 s; each SendGrid call times out after 10 s.
    slug: "email-sender",
    routes: [{ method: "POST", path: "/api/jobs/email-sender" }],
    auth: "service_role",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 60,
    schedule: "rate(1 minute)",
  },
  {
    // The outbox list, and a test email sent at once through the school's SendGrid (10 s timeout).
    slug: "admin-emails",
    routes: [
      { method: "GET", path: "/api/admin/emails" },
      { method: "POST", path: "/api/admin/emails/test" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 15,
  },
  {
    // The tenant's suppressed addresses (filled by the SendGrid Event Webhook): list, and remove one (audited).
    slug: "admin-email-suppressions",
    routes: [
      { method: "GET", path: "/api/admin/email-suppressions" },
      { method: "DELETE", path: "/api/admin/email-suppressions/{email}" },
    ],
    auth: "admin",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 10,
  },
  {
    // The platform's services enqueue welcome and password-reset emails (a service_role key); sealed data, no outbound call.
    slug: "emails",
    routes: [{ method: "POST", path: "/api/emails" }],
    auth: "service_role",
    secrets: ADMIN_SECRETS,
    timeoutSeconds: 10,
  },
];

/** The manifest entry for a slug; throws for an unknown one (a typo in an entry file fails at cold start). */
export function functionDefinition(slug: string): FunctionDefinition {
  const definition = FUNCTIONS.find((fn) => fn.slug === slug);
  if (!definition) throw new Error(`no function "${slug}" in functions/manifest.ts`);
  return definition;
}
