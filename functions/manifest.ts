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
}

const WEBHOOK_SECRETS = ["DATABASE_URL", "ENCRYPTION_KEY", "ENCRYPTION_KEYS_OLD"] as const;
const ADMIN_SECRETS = ["DATABASE_URL", "ENCRYPTION_KEY", "ENCRYPTION_KEYS_OLD", "SUPABASE_JWT_SECRET"] as const;

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
];

/** The manifest entry for a slug; throws for an unknown one (a typo in an entry file fails at cold start). */
export function functionDefinition(slug: string): FunctionDefinition {
  const definition = FUNCTIONS.find((fn) => fn.slug === slug);
  if (!definition) throw new Error(`no function "${slug}" in functions/manifest.ts`);
  return definition;
}
