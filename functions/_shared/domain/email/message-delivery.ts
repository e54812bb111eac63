import { sql, type Statement } from "../../db/sql.ts";

export interface MessageDelivery {
  tenantId: string;
  messageId: string;
  /** Our delivery status for the event and its rank; rank 0 for events that do not move it. */
  status: string | null;
  rank: number;
  /** The event's `timestamp` (unix seconds). */
  occurredAt: number | null;
}

/**
 * Advances one message by a SendGrid event, gated: its delivery status only when the event ranks higher
 * (so it never moves back), and — since any event proves SendGrid accepted the message — its outbox
 * status to `sent` if the sender had not recorded that yet (a sender that died after SendGrid's 202, or a
 * `processed` event faster than the sender), which also stops it being sent again.
 */
export function advanceMessageDeliveryStatement(d: MessageDelivery, gate: Statement): Statement {
  const newer = sql`${d.rank}::smallint > delivery_status_rank`;
  const at = sql`coalesce(to_timestamp(${d.occurredAt}::float8), now())`;
  return sql`update email_messages set
      delivery_status = case when ${newer} then ${d.status}::text else delivery_status end,
      delivery_updated_at = case when ${newer} then ${at} else delivery_updated_at end,
      delivery_status_rank = greatest(delivery_status_rank, ${d.rank}::smallint),
      status = 'sent', sent_at = coalesce(sent_at, ${at}), last_error = case when status = 'sent' then last_error else null end,
      updated_at = now()
    where tenant_id = ${d.tenantId}::uuid and id = ${d.messageId}::uuid and ${gate}`;
}
