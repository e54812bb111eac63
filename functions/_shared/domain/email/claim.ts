import type { Db } from "../../db/port.ts";
import { TRANSACTIONAL_KINDS, type EmailKind } from "./kinds.ts";
import type { SuppressionReason } from "./suppressions.ts";

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

/** A due message the claim itself ended as `suppressed`: its address is on its tenant's list for its kind. */
export interface SuppressedEmail {
  id: string;
  tenantId: string;
  kind: EmailKind;
  attempt: number;
  reason: SuppressionReason;
}

/** One claim: the messages to send now, and those ended as `suppressed` instead (never to be sent). */
export interface ClaimedBatch {
  toSend: ClaimedEmail[];
  suppressed: SuppressedEmail[];
}

interface ClaimedRow {
  [column: string]: unknown;
  id: string; tenant_id: string; kind: EmailKind; to_email: string; to_name: string | null; data: unknown; attempts: number;
  suppressed_for: SuppressionReason | null;
}

// Kind names have no comma; one text parameter reads the same on every adapter (as in claim-due-events.ts).
const TRANSACTIONAL = [...TRANSACTIONAL_KINDS].join(",");

/**
 * Claims up to `limit` due messages for this sender in one short statement: rows another sender is
 * claiming right now are skipped (`FOR UPDATE SKIP LOCKED`), and each claimed row becomes `sending` with a
 * lease of `leaseSeconds` (its `next_attempt_at`) and its attempt counted — so no other sender takes it
 * while this one sends. A sender that dies mid-send loses its claim when the lease ends and the message is
 * claimed again (counted as a further attempt).
 *
 * The same statement ends as `suppressed` — never sent — each claimed message whose address is on its
 * tenant's `email_suppressions` list for its kind: any suppression stops the non-transactional kinds
 * (TRANSACTIONAL_KINDS), an `all` one stops every kind. Checked at claim time, not enqueue time: a bounce
 * reported after the message was queued still stops it. Folded into the claim so that the common message,
 * to an unlisted address, costs no statement for the check.
 * @example const { toSend, suppressed } = await claimDueEmails(ctx.db, { limit: 20, leaseSeconds: 300 });
 */
export async function claimDueEmails(db: Db, options: { limit: number; leaseSeconds: number }): Promise<ClaimedBatch> {
  // The suppression join sits in UPDATE's FROM (with `due`, not the target): the primary key
  // (tenant_id, email) matches at most one row, so each claimed message is updated once.
  const rows = await db.query<ClaimedRow>(
    `with due as (
       select id, tenant_id, to_email, kind from email_messages
        where status in ('queued', 'failed', 'sending') and next_attempt_at <= now()
        order by next_attempt_at
        limit $1
        for update skip locked
     )
     update email_messages m
        set status = case when s.reason is null then 'sending' else 'suppressed' end,
            attempts = m.attempts + 1,
            next_attempt_at = case when s.reason is null then now() + make_interval(secs => $2) else now() end,
            last_error = case when s.reason is null then m.last_error
                              else 'not sent: the address is suppressed (' || s.reason || ')' end,
            updated_at = now()
       from due
       left join email_suppressions s
         on s.tenant_id = due.tenant_id and s.email = lower(due.to_email)
        and (s.scope = 'all' or not (due.kind = any(string_to_array($3, ','))))
      where m.id = due.id
     returning m.id, m.tenant_id, m.kind, m.to_email, m.to_name, case when s.reason is null then m.data end as data,
               m.attempts, s.reason as suppressed_for`,
    [options.limit, options.leaseSeconds, TRANSACTIONAL],
  );
  const batch: ClaimedBatch = { toSend: [], suppressed: [] };
  for (const row of rows) {
    if (row.suppressed_for !== null) {
      batch.suppressed.push({ id: row.id, tenantId: row.tenant_id, kind: row.kind, attempt: row.attempts, reason: row.suppressed_for });
    } else {
      batch.toSend.push({
        id: row.id, tenantId: row.tenant_id, kind: row.kind, toEmail: row.to_email, toName: row.to_name, data: row.data, attempt: row.attempts,
      });
    }
  }
  return batch;
}
