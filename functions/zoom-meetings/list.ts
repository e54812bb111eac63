import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { raw, sql } from "../_shared/db/sql.ts";
import { decodeCursor, keysetPage, rowPosition } from "../_shared/http/keyset-cursor.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { MEETING_STATUSES } from "../_shared/domain/meetings/statuses.ts";
import { MEETING_COLUMNS, meetingView, type MeetingRow } from "./meeting-view.ts";

const PAGE = { default: 50, max: 200 } as const;

const ListQuery = z.strictObject({
  status: z.enum(MEETING_STATUSES, `must be one of ${MEETING_STATUSES.join(", ")}`).optional(),
  cursor: z.string().refine((c) => decodeCursor(c) !== undefined, "is not a cursor this API returned").optional(),
  limit: z.string().regex(/^\d{1,4}$/, "must be a whole number").transform(Number)
    .refine((n) => n >= 1 && n <= PAGE.max, `must be between 1 and ${PAGE.max}`).optional(),
});

/**
 * GET /api/admin/zoom/meetings?status=&cursor=&limit= — the tenant's meetings, newest first, in pages
 * (`nextCursor` while there are more). Deleted meetings are left out unless asked for with `status=deleted`.
 */
export async function listMeetings(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = ListQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationProblem("Invalid query", fieldErrors(parsed.error));
  const { status, cursor, limit = PAGE.default } = parsed.data;
  const after = cursor === undefined ? undefined : decodeCursor(cursor)!;

  const statement = sql`
    select ${raw(MEETING_COLUMNS)} from meetings
     where tenant_id = ${admin.tenantId}
       and ${status === undefined ? sql`status <> 'deleted'` : sql`status = ${status}`}
       and ${after === undefined ? sql`true` : sql`(created_at, id) <
             (timestamptz 'epoch' + ${after.createdAtMicros}::int8 * interval '1 microsecond', ${after.id}::uuid)`}
     order by created_at desc, id desc
     limit ${limit + 1}`;
  const rows = await ctx.db.query<MeetingRow>(statement.text, statement.values);
  const { page, nextCursor } = keysetPage(rows, limit, rowPosition);
  return json({ meetings: page.map(meetingView), nextCursor });
}
