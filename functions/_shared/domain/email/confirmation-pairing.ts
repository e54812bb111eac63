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

/** `gate`, and: the intent is not already known to pay an invoice (then the invoice confirms it). */
export function unlessIntentPaysInvoice(gate: Statement, tenantId: string, paymentIntent: string): Statement {
  return sql`${gate} and not exists (select 1 from payments
     where tenant_id = ${tenantId}::uuid and stripe_payment_intent = ${paymentIntent} and stripe_invoice is not null)`;
}

/** `gate`, and: the confirmation of the invoice's intent is not on its way (then it confirms the payment). */
export function unlessIntentConfirmationOnItsWay(gate: Statement, tenantId: string, invoice: string): Statement {
  return sql`${gate} and not exists (select 1 from payments p
      join email_messages e on e.tenant_id = p.tenant_id and e.kind = 'payment_confirmation'
                           and e.dedupe_key = p.stripe_payment_intent and e.status in ${raw(ON_ITS_WAY)}
     where p.tenant_id = ${tenantId}::uuid and p.stripe_invoice = ${invoice})`;
}

/**
 * When `invoice_payment.paid` links an intent to its invoice: of the two confirmations, withdraws the one still
 * queued that should not go — the intent's, unless that one is on its way, then the invoice's. A withdrawn
 * message was never sent; it is deleted.
 */
export async function keepOneConfirmation(tx: Db, link: { tenantId: string; paymentIntent: string; invoice: string }): Promise<void> {
  const { tenantId, paymentIntent, invoice } = link;
  const withdraw = sql`delete from email_messages
      where tenant_id = ${tenantId}::uuid and kind = 'payment_confirmation' and status = 'queued'
        and dedupe_key = case
          when exists (select 1 from email_messages s
                        where s.tenant_id = ${tenantId}::uuid and s.kind = 'payment_confirmation'
                          and s.dedupe_key = ${paymentIntent} and s.status in ${raw(ON_ITS_WAY)})
          then ${invoice} else ${paymentIntent} end`;
  await tx.query(withdraw.text, withdraw.values);
}
