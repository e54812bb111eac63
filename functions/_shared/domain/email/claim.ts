import type { Db } from "../../db/port.ts";
import type { EmailKind } from "./kinds.ts";

/** A message a sender has claimed: its content and the attempt this claim is (the claim's fencing token). */
export interface ClaimedEmail {
  id: string;
  tenantId: string;
  kind: EmailKind;
  toEmail: string;
  toName: string | null;
  /** As stored: possibly sealed (see sealed-data.ts). */
  data: unknown;
  attempt: number;
}

interface ClaimedRow {
  [column: string]: unknown;
  id: string; tenant_id: string; kind: EmailKind; to_email: string; to_name: string | null; data: unknown; attempts: number;
}

/**
 * Claims up to `limit` due messages for this sender in one short statement: rows another sender is
 * claiming right now are skipped (`FOR UPDATE SKIP LOCKED`), and each claimed row becomes `sending` with a
 * lease of `leaseSeconds` (its `next_attempt_at`) and its attempt counted — so no other sender takes it
 * while this one sends. A sender that dies mid-send loses its claim when the lease ends and the message is
 * claimed again (counted as a further attempt).
 * @example const batch = await claimDueEmails(ctx.db, { limit: 20, leaseSeconds: 300 });
 */
export async function claimDueEmails(db: Db, options: { limit: number; leaseSeconds: number }): Promise<ClaimedEmail[]> {
  const rows = await db.query<ClaimedRow>(
    `with due as (
       select id from email_messages
        where status in ('queued', 'failed', 'sending') and next_attempt_at <= now()
        order by next_attempt_at
        limit $1
        for update skip locked
     )
     update email_messages m
        set status = 'sending', attempts = m.attempts + 1,
            next_attempt_at = now() + make_interval(secs => $2), updated_at = now()
       from due
      where m.id = due.id
     returning m.id, m.tenant_id, m.kind, m.to_email, m.to_name, m.data, m.attempts`,
    [options.limit, options.leaseSeconds],
  );
  return rows.map((row) => ({
    id: row.id, tenantId: row.tenant_id, kind: row.kind, toEmail: row.to_email, toName: row.to_name, data: row.data, attempt: row.attempts,
  }));
}
