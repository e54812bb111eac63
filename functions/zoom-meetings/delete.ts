import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { ZoomApiError } from "../_shared/providers/zoom/errors.ts";
import { openTenantZoom } from "../_shared/providers/zoom/tenant-zoom.ts";
import { MEETING_STATUS_RANK } from "../_shared/domain/meetings/statuses.ts";
import { lockMeeting } from "./meeting-lock.ts";

/**
 * DELETE /api/admin/zoom/meetings/{id} — deletes the meeting in Zoom (every occurrence of a recurring one),
 * then marks it deleted here (kept for its history; hidden from the list). Zoom answering 404 means it is
 * already gone there (deleted in Zoom's own pages, or expired): that is a success too. 204.
 */
export async function deleteMeeting(_req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const zoom = await openTenantZoom(ctx, admin.tenantId);

  return ctx.db.transaction(async (tx) => {
    const row = await lockMeeting(tx, admin.tenantId, ctx.params.id);
    let goneInZoom: string | null = null;
    try {
      await zoom.client.request("DELETE", `/v2/meetings/${row.zoom_meeting_id}`);
    } catch (error) {
      if (!(error instanceof ZoomApiError && error.status === 404)) throw error;
      goneInZoom = error.code;
    }
    await tx.query(
      `update meetings set status = 'deleted', status_rank = $2, deleted_at = now(), updated_at = now() where id = $1`,
      [row.id, MEETING_STATUS_RANK.deleted],
    );
    await writeAudit(tx, {
      tenantId: admin.tenantId, actor: admin.userId, action: "zoom.meeting_deleted", target: row.id,
      details: { zoomMeetingId: row.zoom_meeting_id, alreadyGoneInZoom: goneInZoom !== null, ...(goneInZoom ? { zoomCode: goneInZoom } : {}) },
    });
    ctx.log.info("zoom meeting deleted", { meetingId: row.id, alreadyGoneInZoom: goneInZoom !== null });
    return new Response(null, { status: 204 });
  });
}
