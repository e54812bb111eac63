import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { raw, sql, type Statement } from "../_shared/db/sql.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { openTenantZoom } from "../_shared/providers/zoom/tenant-zoom.ts";
import { CreateMeetingBody, ZOOM_MEETING_TYPE, zoomCreateBody, type CreateMeeting } from "./meeting-request.ts";
import { MEETING_COLUMNS, meetingView, type MeetingRow } from "./meeting-view.ts";
import { createdZoomMeeting, type ZoomMeeting } from "./zoom-meeting.ts";

function insertStatement(tenantId: string, request: CreateMeeting, created: ZoomMeeting, autoRecording: string, createdBy: string): Statement {
  // Zoom's answer is authoritative (it normalizes the start time to UTC); an instant meeting has no schedule.
  const scheduled = request.type !== "instant";
  const startTime = scheduled ? (created.start_time ?? request.startTime) : null;
  const duration = scheduled ? (created.duration ?? request.duration) : null;
  const timezone = scheduled ? (created.timezone ?? request.timezone) : null;
  const recurrence = request.type === "recurring" ? JSON.stringify(request.recurrence) : null;
  return sql`
    insert into meetings (tenant_id, zoom_meeting_id, uuid, type, topic, start_time, duration, timezone, recurrence,
                          auto_recording, join_url, created_by)
    values (${tenantId}, ${String(created.id)}::bigint, ${created.uuid}, ${ZOOM_MEETING_TYPE[request.type]}, ${request.topic},
            ${startTime}::timestamptz, ${duration}::int, ${timezone}, ${recurrence}::jsonb, ${autoRecording}, ${created.join_url}, ${createdBy})
    returning ${raw(MEETING_COLUMNS)}`;
}

/**
 * POST /api/admin/zoom/meetings — creates an instant, scheduled or recurring meeting under the school's
 * Zoom app user, with `auto_recording` from the request or else the school's `autoRecording` setting, and
 * records it. Answers 201 with the meeting and, once, the host's `startUrl` (Zoom's link with a host token,
 * valid about two hours): it is not stored, so it is never shown again. When the meeting cannot be
 * recorded (database down), it is deleted in Zoom again so no meeting exists that the school cannot see.
 */
export async function createMeeting(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = CreateMeetingBody.safeParse(await readJsonBody(req));
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid meeting", errors: fieldErrors(parsed.error) });
  const request = parsed.data;
  const zoom = await openTenantZoom(ctx, admin.tenantId);
  const autoRecording = request.autoRecording ?? zoom.settings.autoRecording;

  const created = createdZoomMeeting(await zoom.client.request("POST", "/v2/users/me/meetings", zoomCreateBody(request, autoRecording)));

  let row: MeetingRow;
  try {
    row = await ctx.db.transaction(async (tx) => {
      const insert = insertStatement(admin.tenantId, request, created, autoRecording, admin.userId);
      const [inserted] = await tx.query<MeetingRow>(insert.text, insert.values);
      await writeAudit(tx, {
        tenantId: admin.tenantId, actor: admin.userId, action: "zoom.meeting_created", target: inserted!.id,
        details: { zoomMeetingId: created.id, type: request.type, autoRecording },
      });
      return inserted!;
    });
  } catch (error) {
    await zoom.client.request("DELETE", `/v2/meetings/${created.id}`).then(
      () => ctx.log.warn("meeting could not be recorded; deleted it in Zoom again", { zoomMeetingId: created.id }),
      () => ctx.log.error("meeting could not be recorded nor deleted in Zoom", { zoomMeetingId: created.id }),
    );
    throw error;
  }
  ctx.log.info("zoom meeting created", { meetingId: row.id, zoomMeetingId: created.id });
  return json({ ...meetingView(row), startUrl: created.start_url }, { status: 201 });
}
