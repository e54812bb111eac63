import type { Db } from "../_shared/db/port.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { isUuid } from "../_shared/http/uuid.ts";
import { MEETING_COLUMNS, type MeetingRow } from "./meeting-view.ts";

export const meetingNotFound = () => new ProblemError({ status: 404, title: "Meeting not found", code: "ERR_MEETING_NOT_FOUND" });

/**
 * Inside a transaction: waits for any other admin change to this meeting, then reads it (404 when it is
 * not this tenant's or was deleted). The lock is advisory, not a row lock, so an admin's Zoom call never
 * makes the webhook — which must answer Zoom within 3 s — wait on the meeting's row.
 * @example await ctx.db.transaction(async (tx) => { const row = await lockMeeting(tx, tenantId, id); ... });
 */
export async function lockMeeting(tx: Db, tenantId: string, id: string | undefined): Promise<MeetingRow> {
  if (!isUuid(id)) throw meetingNotFound();
  await tx.query("select pg_advisory_xact_lock(hashtextextended($1, 0))", [`zoom-meeting:${id.toLowerCase()}`]);
  const [row] = await tx.query<MeetingRow>(
    `select ${MEETING_COLUMNS} from meetings where tenant_id = $1 and id = $2 and status <> 'deleted'`, [tenantId, id],
  );
  if (!row) throw meetingNotFound();
  return row;
}
