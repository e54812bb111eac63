import { enrollmentIdOf, idOf, integerOf, objectOf, stringOf } from "../fields.ts";
import type { PaymentStatus } from "../store/payment-status.ts";
import { upsertPayment } from "../store/payments.ts";
import type { StripeEventHandler } from "./types.ts";

const STATUS_BY_EVENT: Record<string, PaymentStatus> = {
  "payment_intent.processing": "processing",
  "payment_intent.payment_failed": "failed",
  "payment_intent.canceled": "canceled",
  "payment_intent.succeeded": "succeeded",
};

/** `payment_intent.*` → one `payments` row per intent, linked to `metadata.enrollment_id`. */
export const onPaymentIntent: StripeEventHandler = async (tx, tenantId, event) => {
  const intent = event.data.object;
  const metadata = objectOf(intent.metadata);
  const enrollmentId = enrollmentIdOf(metadata);
  const kind = metadata.kind === "tuition" || metadata.kind === "enrollment_fee" ? metadata.kind : enrollmentId ? "enrollment_fee" : "other";
  await upsertPayment(tx, {
    tenantId,
    enrollmentId,
    kind,
    paymentIntent: idOf(intent.id),
    customer: idOf(intent.customer),
    amount: integerOf(intent.amount) ?? 0,
    currency: stringOf(intent.currency) ?? "usd",
    status: STATUS_BY_EVENT[event.type]!,
    failureReason: stringOf(objectOf(intent.last_payment_error).message),
    eventCreated: event.created,
  });
};
