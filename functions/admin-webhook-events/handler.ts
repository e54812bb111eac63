// admin-webhook-events: GET /api/admin/webhook-events, GET /api/admin/webhook-events/signature-failures,
// POST /api/admin/webhook-events/{id}/replay
// What providers sent this tenant: stored events (newest first, filtered, paged, payload on request), replay
// of one through the same effects a delivery uses, and the requests that failed verification (counts and
// reasons only). Only ever the admin's own tenant: another tenant's event is not found.
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { listEvents } from "./events-list.ts";
import { replayEvent } from "./replay.ts";
import { listSignatureFailures } from "./signature-failures.ts";

export const handler = adminHandler("admin-webhook-events", async (req, ctx, admin) => {
  if ("id" in ctx.params) {
    if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
    return replayEvent(req, ctx, admin);
  }
  if (req.method !== "GET") return problem({ status: 405, title: "Method not allowed", headers: { allow: "GET" } });
  // Matched on the end of the path: Supabase serves the same routes under /admin-webhook-events/….
  const path = new URL(req.url).pathname.replace(/\/+$/, "");
  return path.endsWith("/signature-failures") ? listSignatureFailures(req, ctx, admin) : listEvents(req, ctx, admin);
});
