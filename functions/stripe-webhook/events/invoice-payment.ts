import { keepOneConfirmation } from "../../_shared/domain/email/confirmation-pairing.ts";
import { idOf, integerOf, objectOf, stringOf } from "../fields.ts";
import type { PaymentStatus } from "../../_shared/domain/payments/statuses.ts";
import { attachIntentToInvoice } from "../../_shared/domain/payments/payments.ts";
import type { StripeEventEffect } from "./types.ts";

const STATUS: ReadonlyMap<string, PaymentStatus> = new Map(Object.entries({ paid: "succeeded", open: "processing", canceled: "canceled" } as const));

/**
 * `invoice_payment.paid` (API 2025-03-31 and later): the one event that names both an invoice and the
 * PaymentIntent that paid it, so the two halves of a tuition payment become one row, with one confirmation.
 */
export const onInvoicePayment: StripeEventEffect = (tenantId, event) => {
  const invoicePayment = event.data.object;
  const invoice = idOf(invoicePayment.invoice);
  const paymentIntent = idOf(objectOf(invoicePayment.payment).payment_intent);
  if (!invoice || !paymentIntent) return undefined; // Paid out of band or by a charge: nothing to fold.
  const payment = {
    tenantId,
    invoice,
    paymentIntent,
    amount: integerOf(invoicePayment.amount_paid) ?? integerOf(invoicePayment.amount_requested) ?? 0,
    currency: stringOf(invoicePayment.currency) ?? "usd",
    status: STATUS.get(stringOf(invoicePayment.status) ?? "") ?? "succeeded",
    eventCreated: event.created,
  };
  return {
    apply: async (tx) => {
      await attachIntentToInvoice(tx, payment);
      await keepOneConfirmation(tx, { tenantId, paymentIntent, invoice });
    },
  };
};
