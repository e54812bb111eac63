// One confirmation per tuition payment on API 2025-03-31 and later, whatever order Stripe delivers in.
// Since that version neither the intent nor the invoice names the other (only `invoice_payment.paid` links
// them), so a tuition intent that carries a `receipt_email` but not our `metadata.kind` looks like a one-time
// payment and enqueues a confirmation keyed by the intent, while `invoice.paid` enqueues one keyed by the
// invoice. These rules leave one: the invoice's, unless the intent's was already on its way.
import type { Db } from "../../db/port.ts";
import { raw, sql, type Statement } from "../../db/sql.ts";

// A confirmation "on its way": claimed, sent, or failed and due again. One that went `dead` or `suppressed` will
// never reach the family, so it does not stand in for the other.
const ON_ITS_WAY = "('sending', 'sent', 'failed')";

/** Gate for an intent's confirmation: not when the intent is already known to pay an invoice. */
export function unlessIntentPaysInvoice(tenantId: string, paymentIntent: string): Statement {
  return sql`not exists (select 1 from payments
     where tenant_id = ${tenantId}::uuid and stripe_payment_intent = ${paymentIntent} and stripe_invoice is not null)`;
}

/** Gate for an invoice's confirmation: not when its intent's own confirmation is on its way. */
export function unlessIntentConfirmationStarted(tenantId: string, invoice: string): Statement {
  return sql`not exists (select 1 from payments p
      join email_messages e on e.tenant_id = p.tenant_id and e.kind = 'payment_confirmation'
                           and e.dedupe_key = p.stripe_payment_intent and e.status in ${raw(ON_ITS_WAY)}
     where p.tenant_id = ${tenantId}::uuid and p.stripe_invoice = ${invoice})`;
}

/**
 * When `invoice_payment.paid` links an intent to its invoice: of the two confirmations, withdraws the one still
 * queued that should not go — the intent's, unless that one is on its way, then the invoice's. A withdrawn
 * message was never sent; it is deleted. Answers the dedupe key withdrawn, if any.
 */
export async function keepOneConfirmation(
  tx: Db, link: { tenantId: string; paymentIntent: string; invoice: string },
): Promise<string | undefined> {
  const [withdrawn] = await tx.query<{ dedupe_key: string }>(
    `delete from email_messages m
      where m.tenant_id = $1 and m.kind = 'payment_confirmation' and m.status = 'queued'
        and m.dedupe_key = case
          when exists (select 1 from email_messages s
                        where s.tenant_id = $1 and s.kind = 'payment_confirmation' and s.dedupe_key = $2 and s.status in ${ON_ITS_WAY})
          then $3 else $2 end
      returning m.dedupe_key`,
    [link.tenantId, link.paymentIntent, link.invoice],
  );
  return withdrawn?.dedupe_key;
}
