import type { FunctionDefinition } from "../../manifest.ts";

type Route = FunctionDefinition["routes"][number];

/** The leading path segments every route shares, up to the first parameter: `/api/webhooks/stripe`. */
function sharedStaticPrefix(paths: readonly string[]): string[] {
  const split = paths.map((path) => path.split("/").filter(Boolean));
  const prefix: string[] = [];
  for (const [i, segment] of (split[0] ?? []).entries()) {
    if (segment.startsWith("{") || !split.every((segments) => segments[i] === segment)) break;
    prefix.push(segment);
  }
  return prefix;
}

/**
 * Where Supabase delivers a manifest route. A function is reached at `…/functions/v1/<slug>/…` and sees a path
 * starting with `/<slug>` (with `/functions/v1` in front under some local serves), so each route is also
 * served at `/<slug>` + what follows the static prefix all the function's routes share, with and without
 * that prefix: `/api/webhooks/stripe/{tenantId}` of stripe-webhook → `/stripe-webhook/{tenantId}` and
 * `/functions/v1/stripe-webhook/{tenantId}`; `/api/admin/integrations/{key}` of admin-integrations →
 * `/admin-integrations/{key}`.
 * @example app routes = [...definition.routes, ...supabaseRoutes(definition)]
 */
export function supabaseRoutes(definition: FunctionDefinition): Route[] {
  const prefixLength = sharedStaticPrefix(definition.routes.map((route) => route.path)).length;
  return ["", "/functions/v1"].flatMap((base) =>
    definition.routes.map((route) => {
      const rest = route.path.split("/").filter(Boolean).slice(prefixLength);
      return { method: route.method, path: [`${base}/${definition.slug}`, ...rest].join("/") };
    }),
  );
}
