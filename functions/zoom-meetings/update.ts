import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { raw, sql, type Statement } from "../_shared/db/sql.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { openTenantZoom } from "../_shared/providers/zoom/tenant-zoom.ts";
import { lockMeeting } from "./meeting-lock.ts";
import { fieldsNotForType, meetingKindOf, UpdateMeetingBody, zoomTime, zoomUpdateBody, type UpdateMeeting } from "./meeting-request.ts";
import { MEETING_COLUMNS, meetingView, type MeetingRow } from "./meeting-view.ts";

/** The stored columns a change touches (the agenda lives in Zoom only). */
function assignments(patch: UpdateMeeting): Statement {
  const sets: Statement[] = [];
  if (patch.topic !== undefined) sets.push(sql`topic = ${patch.topic}`);
  if (patch.startTime !== undefined) sets.push(sql`start_time = ${zoomTime(patch.startTime)}::timestamptz`);
  if (patch.duration !== undefined) sets.push(sql`duration = ${patch.duration}`);
  if (patch.timezone !== undefined) sets.push(sql`timezone = ${patch.timezone}`);
  if (patch.recurrence !== undefined) sets.push(sql`recurrence = ${JSON.stringify(patch.recurrence)}::jsonb`);
  if (patch.autoRecording !== undefined) sets.push(sql`auto_recording = ${patch.autoRecording}`);
  sets.push(sql`updated_at = now()`);
  return sets.reduce((all, set) => sql`${all}, ${set}`);
}

/**
 * PATCH /api/admin/zoom/meetings/{id} — changes the meeting in Zoom (`PATCH /v2/meetings/{id}`), then the
 * stored row, so the row never claims what Zoom does not have. Changes to one meeting run one at a time.
 */
export async function updateMeeting(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = UpdateMeetingBody.safeParse(await readJsonBody(req));
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid meeting change", errors: fieldErrors(parsed.error) });
  const patch = parsed.data;
  if (Object.keys(patch).length === 0) {
    throw new ProblemError({ status: 400, title: "Invalid meeting change", errors: { "(body)": ["give at least one field to change"] } });
  }
  const zoom = await openTenantZoom(ctx, admin.tenantId);

  return ctx.db.transaction(async (tx) => {
    const row = await lockMeeting(tx, admin.tenantId, ctx.params.id);
    const notForType = fieldsNotForType(meetingKindOf(row.type), patch);
    if (Object.keys(notForType).length) throw new ProblemError({ status: 400, title: "Invalid meeting change", errors: notForType });

    await zoom.client.request("PATCH", `/v2/meetings/${row.zoom_meeting_id}`, zoomUpdateBody(patch));

    const update = sql`update meetings set ${assignments(patch)} where id = ${row.id} returning ${raw(MEETING_COLUMNS)}`;
    const [updated] = await tx.query<MeetingRow>(update.text, update.values);
    await writeAudit(tx, {
      tenantId: admin.tenantId, actor: admin.userId, action: "zoom.meeting_updated", target: row.id,
      details: { zoomMeetingId: row.zoom_meeting_id, changed: Object.keys(patch).sort() },
    });
    ctx.log.info("zoom meeting updated", { meetingId: row.id });
    return json(meetingView(updated!));
  });
}
