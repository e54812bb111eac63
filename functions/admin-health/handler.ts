// admin-health: GET /api/admin/health, GET /api/admin/metrics?days=30
// The dashboard's numbers for the admin's own tenant: each integration's state (last test, last event,
// failures, backlog) and per-day counts of webhook events, payments and emails. Every query is filtered on
// the caller's tenant, so one school never sees another's figures.
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { health } from "./health.ts";
import { metrics } from "./metrics.ts";

export const handler = adminHandler("admin-health", async (req, ctx, admin) => {
  if (req.method !== "GET") return problem({ status: 405, title: "Method not allowed", headers: { allow: "GET" } });
  // Matched on the end of the path: Supabase serves the same routes under /admin-health/….
  const path = new URL(req.url).pathname.replace(/\/+$/, "");
  return path.endsWith("/metrics") ? metrics(req, ctx, admin) : health(req, ctx, admin);
});
