// zoom-meetings: GET, POST /api/admin/zoom/meetings; PATCH, DELETE /api/admin/zoom/meetings/{id};
// GET /api/admin/zoom/meetings/{id}/participants
// A school's admin creates (instant, scheduled, recurring), lists, changes and deletes its online classes
// in Zoom through the school's Server-to-Server OAuth app, each under its teacher (hostEmail), and reads
// their attendance. Each change goes to Zoom first, then to the
// `meetings` row, and is written to audit_log. Only ever the admin's own tenant: another tenant's meeting
// is not found. The host's start_url is handed out once on creation and never stored.
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { problem } from "../_shared/http/responses.ts";
import { zoomErrorProblem } from "../_shared/providers/zoom/error-problem.ts";
import { createMeeting } from "./create.ts";
import { deleteMeeting } from "./delete.ts";
import { listMeetings } from "./list.ts";
import { listParticipants } from "./participants.ts";
import { updateMeeting } from "./update.ts";

const methodNotAllowed = (allow: string) => problem({ status: 405, title: "Method not allowed", headers: { allow } });

export const handler = adminHandler("zoom-meetings", async (req, ctx, admin) => {
  if ("id" in ctx.params && new URL(req.url).pathname.endsWith("/participants")) {
    if (req.method === "GET") return listParticipants(req, ctx, admin);
    return methodNotAllowed("GET");
  }
  if ("id" in ctx.params) {
    if (req.method === "PATCH") return updateMeeting(req, ctx, admin);
    if (req.method === "DELETE") return deleteMeeting(req, ctx, admin);
    return methodNotAllowed("PATCH, DELETE");
  }
  if (req.method === "GET") return listMeetings(req, ctx, admin);
  if (req.method === "POST") return createMeeting(req, ctx, admin);
  return methodNotAllowed("GET, POST");
}, { errorProblems: [zoomErrorProblem] });
