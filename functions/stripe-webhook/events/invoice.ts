import { enrollmentIdOf, idOf, integerOf, objectOf, stringOf } from "../fields.ts";
import { upsertPaymentStatement } from "../../_shared/domain/payments/payments.ts";
import type { StripeEventEffect } from "./types.ts";

/**
 * `invoice.paid|payment_failed` → a tuition payment. Reads both invoice shapes: the intent and
 * subscription at top level (API versions before 2025-03-31) and under `payments` / `parent` (basil and
 * later). Without an intent the payment is keyed by the invoice.
 */
export const onInvoice: StripeEventEffect = (tenantId, event) => {
  const invoice = event.data.object;
  const subscriptionDetails = objectOf(objectOf(invoice.parent).subscription_details);
  const invoicePayments = objectOf(invoice.payments).data;
  const firstPayment = objectOf(Array.isArray(invoicePayments) ? invoicePayments[0] : undefined);
  const paymentIntent = idOf(invoice.payment_intent) ?? idOf(objectOf(firstPayment.payment).payment_intent);
  const invoiceId = idOf(invoice.id);
  if (!paymentIntent && !invoiceId) return undefined;
  const paid = event.type === "invoice.paid";
  const payment = {
    tenantId,
    enrollmentId: enrollmentIdOf(invoice.metadata, objectOf(invoice.subscription_details).metadata, subscriptionDetails.metadata),
    subscriptionId: idOf(invoice.subscription) ?? idOf(subscriptionDetails.subscription),
    kind: "tuition",
    paymentIntent,
    invoice: invoiceId,
    customer: idOf(invoice.customer),
    amount: integerOf(paid ? invoice.amount_paid : invoice.amount_due) ?? 0,
    currency: stringOf(invoice.currency) ?? "usd",
    status: paid ? "succeeded" : "failed",
    eventCreated: event.created,
  } as const;
  return { statements: (gate) => [upsertPaymentStatement(payment, gate)] };
};
