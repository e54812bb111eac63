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
   * function (infra/scheduled-jobs.ts). A job may have no routes. None is scheduled yet.
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
];

/** The manifest entry for a slug; throws for an unknown one (a typo in an entry file fails at cold start). */
export function functionDefinition(slug: string): FunctionDefinition {
  const definition = FUNCTIONS.find((fn) => fn.slug === slug);
  if (!definition) throw new Error(`no function "${slug}" in functions/manifest.ts`);
  return definition;
}
