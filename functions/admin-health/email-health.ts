import type { Db } from "../_shared/db/port.ts";
import type { EmailKind } from "../_shared/domain/email/kinds.ts";

/** The mail a family must not miss: a bounce here means a contract unsigned or a payment unnoticed. */
const WATCHED_KINDS: readonly EmailKind[] = ["contract_notification", "payment_confirmation", "payment_action_required", "payment_failed"];
const RECENT_BOUNCES = 10;

export interface EmailHealth {
  /** The tenant's suppression list: every address, and how many stop all mail vs marketing only. */
  suppressions: { total: number; all: number; marketingOnly: number };
  /** Messages the sender held back (status `suppressed`) over 24 h / 7 d, by created_at. */
  suppressedMessages: { last24h: number; last7d: number };
  /** Contract and payment emails SendGrid reported bounced or dropped over 7 d, and the latest of them. */
  bouncedContractAndPaymentEmails: {
    last7d: number;
    recent: { id: string; kind: string; toEmail: string; deliveryStatus: string; at: string | null }[];
  };
}

/**
 * The health page's email block: suppressions, messages suppressed, and bounced contract and payment
 * emails (so an admin can reach that family another way). Three small queries on the tenant.
 */
export async function emailHealth(db: Db, tenantId: string, since24h: Date, since7d: Date): Promise<EmailHealth> {
  const [suppressions, suppressed, bounced] = await Promise.all([
    db.query<{ total: number; all_scope: number }>(
      `select count(*)::int as total, count(*) filter (where scope = 'all')::int as all_scope
         from email_suppressions where tenant_id = $1`, [tenantId]),
    db.query<{ last24h: number; last7d: number }>(
      `select count(*) filter (where created_at >= $2)::int as last24h, count(*)::int as last7d
         from email_messages where tenant_id = $1 and status = 'suppressed' and created_at >= $3`, [tenantId, since24h, since7d]),
    db.query<{ id: string; kind: string; to_email: string; delivery_status: string; delivery_updated_at: Date | null; total: number }>(
      `select id, kind, to_email, delivery_status, delivery_updated_at, count(*) over ()::int as total
         from email_messages
        where tenant_id = $1 and delivery_status in ('bounce', 'dropped') and kind = any(string_to_array($2, ','))
          and coalesce(delivery_updated_at, created_at) >= $3
        order by coalesce(delivery_updated_at, created_at) desc, id desc
        limit ${RECENT_BOUNCES}`, [tenantId, WATCHED_KINDS.join(","), since7d]),
  ]);
  const counts = suppressions[0] ?? { total: 0, all_scope: 0 };
  return {
    suppressions: { total: counts.total, all: counts.all_scope, marketingOnly: counts.total - counts.all_scope },
    suppressedMessages: { last24h: suppressed[0]?.last24h ?? 0, last7d: suppressed[0]?.last7d ?? 0 },
    bouncedContractAndPaymentEmails: {
      last7d: bounced[0]?.total ?? 0,
      recent: bounced.map((row) => ({
        id: row.id, kind: row.kind, toEmail: row.to_email, deliveryStatus: row.delivery_status, at: row.delivery_updated_at?.toISOString() ?? null,
      })),
    },
  };
}
