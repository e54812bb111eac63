import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { raw, sql, type Statement } from "../_shared/db/sql.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import type { SealedEnvelope } from "../_shared/crypto/vault.ts";
import { sealMeetingPasscode } from "../_shared/domain/meetings/passcode.ts";
import { isUnknownZoomUser } from "../_shared/providers/zoom/errors.ts";
import { openTenantZoom, type TenantZoom } from "../_shared/providers/zoom/tenant-zoom.ts";
import { CreateMeetingBody, ZOOM_MEETING_TYPE, zoomCreateBody, type CreateMeeting } from "./meeting-request.ts";
import { MEETING_COLUMNS, meetingView, type MeetingRow } from "./meeting-view.ts";
import { createdZoomMeeting, type ZoomMeeting } from "./zoom-meeting.ts";

interface Recorded {
  id: string;
  hostEmail: string | null;
  passcode: SealedEnvelope;
}

function insertStatement(tenantId: string, request: CreateMeeting, created: ZoomMeeting, recorded: Recorded, autoRecording: string, createdBy: string): Statement {
  // Zoom's answer is authoritative (it normalizes the start time to UTC); an instant meeting has no schedule.
  const scheduled = request.type !== "instant";
  const startTime = scheduled ? (created.start_time ?? request.startTime) : null;
  const duration = scheduled ? (created.duration ?? request.duration) : null;
  const timezone = scheduled ? (created.timezone ?? request.timezone) : null;
  const recurrence = request.type === "recurring" ? JSON.stringify(request.recurrence) : null;
  return sql`
    insert into meetings (id, tenant_id, zoom_meeting_id, uuid, type, topic, start_time, duration, timezone, recurrence,
                          auto_recording, host_email, passcode, join_url, created_by)
    values (${recorded.id}::uuid, ${tenantId}, ${String(created.id)}::bigint, ${created.uuid}, ${ZOOM_MEETING_TYPE[request.type]}, ${request.topic},
            ${startTime}::timestamptz, ${duration}::int, ${timezone}, ${recurrence}::jsonb, ${autoRecording}, ${recorded.hostEmail},
            ${JSON.stringify(recorded.passcode)}::jsonb, ${created.join_url}, ${createdBy})
    returning ${raw(MEETING_COLUMNS)}`;
}

/** Zoom's 1001 (no such user in the account) as the admin's mistake, naming the field it came from. */
function unknownHost(host: string, fromSetting: boolean): ProblemError {
  const where = fromSetting ? " (the Zoom setting defaultHostEmail, used because the request gave none)" : "";
  return new ProblemError({
    status: 400, title: "Invalid meeting", code: "ERR_ZOOM_UNKNOWN_HOST",
    errors: { hostEmail: [`${host} is not a user of the school's Zoom account${where}`] },
  });
}

/** Creates the meeting in Zoom under `host` (an email, or `me`: the app's own user). */
async function createInZoom(zoom: TenantZoom, host: string, body: Record<string, unknown>, fromSetting: boolean): Promise<ZoomMeeting> {
  try {
    return createdZoomMeeting(await zoom.client.request("POST", `/v2/users/${encodeURIComponent(host)}/meetings`, body));
  } catch (error) {
    if (isUnknownZoomUser(error)) throw unknownHost(host, fromSetting);
    throw error;
  }
}

/**
 * POST /api/admin/zoom/meetings — creates an instant, scheduled or recurring meeting under its teacher
 * (`hostEmail`, else the school's `defaultHostEmail` setting, else the app's own user `me`), with
 * `auto_recording` from the request or else the school's `autoRecording` setting, and records it with its
 * host and its passcode (sealed). Answers 201 with the meeting and, once, the host's `startUrl` (Zoom's link
 * with a host token, valid about two hours): it is not stored, so it is never shown again. When the meeting
 * cannot be recorded (database down), it is deleted in Zoom again so no meeting exists that the school cannot see.
 */
export async function createMeeting(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = CreateMeetingBody.safeParse(await readJsonBody(req));
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid meeting", errors: fieldErrors(parsed.error) });
  const request = parsed.data;
  const zoom = await openTenantZoom(ctx, admin.tenantId);
  const autoRecording = request.autoRecording ?? zoom.settings.autoRecording;

  const host = request.hostEmail ?? zoom.settings.defaultHostEmail ?? "me";
  const created = await createInZoom(zoom, host, zoomCreateBody(request, autoRecording), request.hostEmail === undefined && host !== "me");

  let row: MeetingRow;
  try {
    const id = crypto.randomUUID();
    const recorded: Recorded = {
      id,
      hostEmail: host === "me" ? created.host_email : host,
      passcode: await sealMeetingPasscode(ctx.vault, admin.tenantId, id, created.password),
    };
    row = await ctx.db.transaction(async (tx) => {
      const insert = insertStatement(admin.tenantId, request, created, recorded, autoRecording, admin.userId);
      const [inserted] = await tx.query<MeetingRow>(insert.text, insert.values);
      await writeAudit(tx, {
        tenantId: admin.tenantId, actor: admin.userId, action: "zoom.meeting_created", target: inserted!.id,
        details: { zoomMeetingId: created.id, type: request.type, autoRecording, hostEmail: recorded.hostEmail },
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
