import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { sql, type Statement } from "../_shared/db/sql.ts";
import { EMAIL_KINDS } from "../_shared/domain/email/kinds.ts";
import { decodeCursor, keysetPage, rowPosition } from "../_shared/http/keyset-cursor.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";

const querySchema = z.strictObject({
  status: z.enum(["queued", "sending", "sent", "failed", "dead", "suppressed"], "must be queued, sending, sent, failed, dead or suppressed").optional(),
  kind: z.enum(EMAIL_KINDS, `must be one of ${EMAIL_KINDS.join(", ")}`).optional(),
  cursor: z.string().refine((c) => decodeCursor(c) !== undefined, "is not a cursor this API returned").optional(),
  limit: z.string().regex(/^\d{1,3}$/, "must be a whole number").transform(Number)
    .refine((n) => n >= 1 && n <= 200, "must be between 1 and 200").default(50),
});

/** A message as admins see it. Its template data is not shown: it may hold a sign-in link. */
export interface EmailView {
  id: string;
  kind: string;
  toEmail: string;
  toName: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  providerMessageId: string | null;
  deliveryStatus: string | null;
  deliveryUpdatedAt: string | null;
  createdAt: string;
  sentAt: string | null;
}

interface EmailRow {
  [column: string]: unknown;
  id: string; kind: string; to_email: string; to_name: string | null; status: string; attempts: number;
  next_attempt_at: Date; last_error: string | null; provider_message_id: string | null; delivery_status: string | null;
  delivery_updated_at: Date | null; created_at: Date; sent_at: Date | null; created_micros: number;
}

function view(row: EmailRow): EmailView {
  return {
    id: row.id,
    kind: row.kind,
    toEmail: row.to_email,
    toName: row.to_name,
    status: row.status,
    attempts: row.attempts,
    // Only a message still waiting has a next attempt worth showing.
    nextAttemptAt: row.status === "queued" || row.status === "failed" ? row.next_attempt_at.toISOString() : null,
    lastError: row.last_error,
    providerMessageId: row.provider_message_id,
    deliveryStatus: row.delivery_status,
    deliveryUpdatedAt: row.delivery_updated_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
    sentAt: row.sent_at?.toISOString() ?? null,
  };
}

/**
 * GET /api/admin/emails?status=&kind=&cursor=&limit= — the tenant's outbox, newest first, `nextCursor` to page.
 * @example GET /api/admin/emails?status=dead
 */
export async function listEmails(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = querySchema.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationProblem("Invalid query", fieldErrors(parsed.error));
  const { status, kind, cursor, limit } = parsed.data;

  const conditions: Statement[] = [sql`tenant_id = ${admin.tenantId}::uuid`];
  if (status) conditions.push(sql`status = ${status}`);
  if (kind) conditions.push(sql`kind = ${kind}`);
  const after = cursor === undefined ? undefined : decodeCursor(cursor)!;
  if (after) {
    conditions.push(sql`(created_at, id) < (timestamptz 'epoch' + ${after.createdAtMicros}::int8 * interval '1 microsecond', ${after.id}::uuid)`);
  }
  const statement = sql`
    select id, kind, to_email, to_name, status, attempts, next_attempt_at, last_error, provider_message_id, delivery_status,
           delivery_updated_at, created_at, sent_at, (extract(epoch from created_at) * 1000000)::int8 as created_micros
      from email_messages
     where ${conditions.reduce((all, condition) => sql`${all} and ${condition}`)}
     order by created_at desc, id desc
     limit ${limit + 1}`;
  const rows = await ctx.db.query<EmailRow>(statement.text, statement.values);
  const { page, nextCursor } = keysetPage(rows, limit, rowPosition);
  return json({ emails: page.map(view), nextCursor });
}
