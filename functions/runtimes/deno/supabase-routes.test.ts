import { describe, expect, it } from "vitest";
import { FUNCTIONS, type FunctionDefinition } from "../../manifest.ts";
import { supabaseRoutes } from "./supabase-routes.ts";

const fn = (slug: string, ...paths: string[]): FunctionDefinition => ({
  slug, routes: paths.map((path) => ({ method: "POST" as const, path })), auth: "admin", secrets: [], timeoutSeconds: 10,
});
const paths = (definition: FunctionDefinition) => supabaseRoutes(definition).map((route) => route.path);

describe("supabaseRoutes", () => {
  it("maps the Stripe webhook's routes under /stripe-webhook, with and without /functions/v1", () => {
    expect(supabaseRoutes(FUNCTIONS.find((f) => f.slug === "stripe-webhook")!)).toEqual([
      { method: "POST", path: "/stripe-webhook/{tenantId}" },
      { method: "POST", path: "/stripe-webhook" },
      { method: "POST", path: "/functions/v1/stripe-webhook/{tenantId}" },
      { method: "POST", path: "/functions/v1/stripe-webhook" },
    ]);
  });

  it("maps the admin integrations' routes under /admin-integrations, keeping each method", () => {
    expect(supabaseRoutes(FUNCTIONS.find((f) => f.slug === "admin-integrations")!).slice(0, 3)).toEqual([
      { method: "GET", path: "/admin-integrations" },
      { method: "GET", path: "/admin-integrations/{key}" },
      { method: "PUT", path: "/admin-integrations/{key}" },
    ]);
  });

  it("stops the shared prefix at the first parameter and keeps what follows it", () => {
    expect(paths(fn("admin-integration-test", "/api/admin/integrations/{key}/test"))).toContain("/admin-integration-test/{key}/test");
  });

  it("maps a single static route to the bare slug", () => {
    expect(paths(fn("docusign-test-send", "/api/admin/integrations/docusign/test-send"))).toContain("/docusign-test-send");
  });

  it("keeps the differing segments of routes that share only part of their prefix", () => {
    expect(paths(fn("checkout", "/api/checkout/enrollment-fee", "/api/checkout/tuition", "/api/billing/portal")).slice(0, 3)).toEqual([
      "/checkout/checkout/enrollment-fee", "/checkout/checkout/tuition", "/checkout/billing/portal",
    ]);
  });

  it.each(FUNCTIONS.map((f) => [f.slug, f] as const))("gives %s distinct routes under its slug, none clashing with the manifest's", (slug, definition) => {
    const routes = supabaseRoutes(definition);
    expect(routes).toHaveLength(definition.routes.length * 2);
    for (const route of routes) expect(route.path).toMatch(new RegExp(`^(/functions/v1)?/${slug}(/|$)`));
    const keys = [...definition.routes, ...routes].map((r) => `${r.method} ${r.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
