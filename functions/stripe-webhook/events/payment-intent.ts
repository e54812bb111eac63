import type { Statement } from "../../_shared/db/sql.ts";
import { unlessIntentPaysInvoice } from "../../_shared/domain/email/confirmation-pairing.ts";
import { enqueueEmailStatement } from "../../_shared/domain/email/enqueue.ts";
import { paymentConfirmation } from "../../_shared/domain/email/payment-confirmation.ts";
import { enrollmentIdOf, idOf, integerOf, objectOf, stringOf, type StripeObject } from "../fields.ts";
import type { PaymentStatus } from "../../_shared/domain/payments/statuses.ts";
import { upsertPaymentStatement } from "../../_shared/domain/payments/payments.ts";
import type { StripeEventEffect } from "./types.ts";

const STATUS_BY_EVENT: ReadonlyMap<string, PaymentStatus> = new Map(Object.entries({
  "payment_intent.processing": "processing",
  "payment_intent.payment_failed": "failed",
  "payment_intent.canceled": "canceled",
  "payment_intent.succeeded": "succeeded",
} as const));

/**
 * Whether the intent pays a tuition invoice, whose `invoice.paid` enqueues the confirmation: since API
 * 2025-03-31 that one is keyed by the invoice (the invoice no longer names its intent), so a second one keyed
 * by the intent would reach the family too. Before that API the intent names its `invoice`.
 */
const confirmedByItsInvoice = (intent: StripeObject, kind: string): boolean => kind === "tuition" || idOf(intent.invoice) !== null;

/**
 * `payment_intent.*` → one `payments` row per intent, linked to `metadata.enrollment_id`. A succeeded intent
 * with a `receipt_email` also enqueues its payment confirmation, keyed by the intent, in the same statement —
 * unless it pays a tuition invoice, which confirms it instead.
 */
export const onPaymentIntent: StripeEventEffect = (tenantId, event) => {
  const intent = event.data.object;
  const paymentIntent = idOf(intent.id);
  const status = STATUS_BY_EVENT.get(event.type);
  if (!paymentIntent || !status) return undefined;
  const metadata = objectOf(intent.metadata);
  const kind = metadata.kind === "tuition" || metadata.kind === "enrollment_fee" ? metadata.kind : "enrollment_fee";
  const payment = {
    tenantId,
    enrollmentId: enrollmentIdOf(metadata),
    kind,
    paymentIntent,
    customer: idOf(intent.customer),
    amount: integerOf(intent.amount) ?? 0,
    currency: stringOf(intent.currency) ?? "usd",
    status,
    failureReason: stringOf(objectOf(intent.last_payment_error).message),
    eventCreated: event.created,
  } as const;
  // The intent's payments row (and the refunds and disputes it reads) is all another event could touch too:
  // intents of other ids may share one statement with it (see EventEffect.keys).
  const keys = [`payment:${paymentIntent}`];
  const receiptEmail = stringOf(intent.receipt_email)?.trim();
  if (payment.status !== "succeeded" || !receiptEmail || confirmedByItsInvoice(intent, kind)) {
    return { statements: (gate) => [upsertPaymentStatement(payment, gate)], keys };
  }
  const confirmation = paymentConfirmation(payment, { email: receiptEmail });
  // Since API 2025-03-31 a tuition intent may look like this one: one our Checkout did not make (it marks every
  // intent it creates with metadata.kind) may pay an invoice. See confirmation-pairing.ts.
  const emailGate = (gate: Statement) =>
    metadata.kind === "enrollment_fee" ? gate : unlessIntentPaysInvoice(gate, tenantId, paymentIntent);
  return { statements: (gate) => [upsertPaymentStatement(payment, gate), enqueueEmailStatement(confirmation, emailGate(gate))], keys };
};
