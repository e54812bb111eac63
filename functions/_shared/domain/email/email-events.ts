import { sql, type Statement } from "../../db/sql.ts";

export interface EmailEventRow {
  tenantId: string;
  /** Our message, when the event's custom_args name one of this tenant's. */
  messageId: string | null;
  sgEventId: string;
  sgMessageId: string | null;
  event: string;
  email: string | null;
  reason: string | null;
  /** The event's `timestamp` (unix seconds). */
  occurredAt: number | null;
}

/**
 * Records one SendGrid event in `email_events` (once per sg_event_id), gated like every event effect. The
 * message link is taken only when that message is this tenant's.
 */
export function insertEmailEventStatement(e: EmailEventRow, gate: Statement): Statement {
  return sql`insert into email_events (tenant_id, message_id, sg_event_id, sg_message_id, event, email, reason, occurred_at)
    select ${e.tenantId}::uuid,
           (select id from email_messages where tenant_id = ${e.tenantId}::uuid and id = ${e.messageId}::uuid),
           ${e.sgEventId}, ${e.sgMessageId}, ${e.event}, ${e.email}, ${e.reason}, to_timestamp(${e.occurredAt}::float8)
     where ${gate}
    on conflict (tenant_id, sg_event_id) do nothing`;
}
