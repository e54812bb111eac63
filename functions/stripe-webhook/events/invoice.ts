import type { Statement } from "../../_shared/db/sql.ts";
import { unlessIntentConfirmationOnItsWay } from "../../_shared/domain/email/confirmation-pairing.ts";
import { enqueueEmailStatement } from "../../_shared/domain/email/enqueue.ts";
import { invoiceEmail, type InvoiceEmailKind } from "../../_shared/domain/email/invoice-emails.ts";
import { paymentConfirmation } from "../../_shared/domain/email/payment-confirmation.ts";
import { enrollmentIdOf, idOf, integerOf, objectOf, stringOf, type StripeObject } from "../fields.ts";
import { upsertPaymentStatement } from "../../_shared/domain/payments/payments.ts";
import type { StripeEventEffect } from "./types.ts";

/** What both invoice shapes say: top-level fields before API 2025-03-31, `payments` / `parent` since (basil). */
function invoiceFields(invoice: StripeObject) {
  const subscriptionDetails = objectOf(objectOf(invoice.parent).subscription_details);
  const invoicePayments = objectOf(invoice.payments).data;
  const firstPayment = objectOf(Array.isArray(invoicePayments) ? invoicePayments[0] : undefined);
  const email = stringOf(invoice.customer_email)?.trim();
  const name = stringOf(invoice.customer_name)?.trim();
  return {
    invoiceId: idOf(invoice.id),
    paymentIntent: idOf(invoice.payment_intent) ?? idOf(objectOf(firstPayment.payment).payment_intent),
    subscriptionId: idOf(invoice.subscription) ?? idOf(subscriptionDetails.subscription),
    enrollmentId: enrollmentIdOf(invoice.metadata, objectOf(invoice.subscription_details).metadata, subscriptionDetails.metadata),
    currency: stringOf(invoice.currency) ?? "usd",
    /** The family, as Stripe bills them (the customer's email when the invoice was finalized). */
    to: email ? { email, ...(name ? { name } : {}) } : null,
  };
}

/**
 * `invoice.paid|payment_failed` → a tuition payment (without an intent, keyed by the invoice). A paid invoice
 * enqueues its payment confirmation and a failed one the `payment_failed` email with the invoice's hosted
 * page — each once per invoice, in the same statement set as the payment, so redeliveries add nothing.
 */
export const onInvoice: StripeEventEffect = (tenantId, event) => {
  const invoice = event.data.object;
  const fields = invoiceFields(invoice);
  if (!fields.paymentIntent && !fields.invoiceId) return undefined;
  const paid = event.type === "invoice.paid";
  const payment = {
    tenantId,
    enrollmentId: fields.enrollmentId,
    subscriptionId: fields.subscriptionId,
    kind: "tuition",
    paymentIntent: fields.paymentIntent,
    invoice: fields.invoiceId,
    customer: idOf(invoice.customer),
    amount: integerOf(paid ? invoice.amount_paid : invoice.amount_due) ?? 0,
    currency: fields.currency,
    status: paid ? "succeeded" : "failed",
    eventCreated: event.created,
  } as const;
  const email = !fields.to || !fields.invoiceId ? undefined
    : paid ? (payment.amount > 0 ? paymentConfirmation({ ...payment, invoice: fields.invoiceId }, fields.to) : undefined)
    : unpaidInvoiceEmail("payment_failed", tenantId, invoice, { ...fields, invoiceId: fields.invoiceId, to: fields.to });
  // An invoice that does not name its intent (API 2025-03-31 and later): see confirmation-pairing.ts.
  const emailGate = (gate: Statement) =>
    paid && !fields.paymentIntent && fields.invoiceId ? unlessIntentConfirmationOnItsWay(gate, tenantId, fields.invoiceId) : gate;
  return {
    statements: (gate) => [upsertPaymentStatement(payment, gate), ...(email ? [enqueueEmailStatement(email, emailGate(gate))] : [])],
    // The payments row it upserts (found by its intent when the invoice names one, and unique by invoice too)
    // and the invoice's emails: what another event could touch too (see EventEffect.keys).
    keys: invoiceKeys(fields),
  };
};

function invoiceKeys(fields: { invoiceId: string | null; paymentIntent: string | null }): string[] {
  return [
    ...(fields.invoiceId ? [`invoice:${fields.invoiceId}`] : []),
    ...(fields.paymentIntent ? [`payment:${fields.paymentIntent}`] : []),
  ];
}

/**
 * `invoice.payment_action_required`: a renewal needs the parent (3-D Secure). The payment stays as it is (the
 * intent's own events say where it is); the family gets the `payment_action_required` email, once per invoice.
 */
export const onInvoiceActionRequired: StripeEventEffect = (tenantId, event) => {
  const invoice = event.data.object;
  const fields = invoiceFields(invoice);
  const { invoiceId, to } = fields;
  if (!invoiceId || !to) return undefined;
  const email = unpaidInvoiceEmail("payment_action_required", tenantId, invoice, { ...fields, invoiceId, to });
  return { statements: (gate) => [enqueueEmailStatement(email, gate)], keys: invoiceKeys(fields) };
};

type InvoiceFields = ReturnType<typeof invoiceFields>;

function unpaidInvoiceEmail(
  kind: InvoiceEmailKind, tenantId: string, invoice: StripeObject,
  fields: InvoiceFields & { invoiceId: string; to: NonNullable<InvoiceFields["to"]> },
) {
  return invoiceEmail(kind, {
    tenantId,
    invoice: fields.invoiceId,
    enrollmentId: fields.enrollmentId,
    amountDue: integerOf(invoice.amount_due) ?? 0,
    currency: fields.currency,
    hostedInvoiceUrl: stringOf(invoice.hosted_invoice_url),
    attemptCount: integerOf(invoice.attempt_count),
    nextPaymentAttempt: integerOf(invoice.next_payment_attempt),
  }, fields.to);
}
