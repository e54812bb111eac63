import type { StripeEventEffect } from "./types.ts";
import { onChargeRefunded } from "./charge-refunded.ts";
import { onCheckoutSession, onCheckoutSessionExpired } from "./checkout-session.ts";
import { onDispute } from "./dispute.ts";
import { onInvoice, onInvoiceActionRequired } from "./invoice.ts";
import { onInvoicePayment } from "./invoice-payment.ts";
import { onPaymentIntent } from "./payment-intent.ts";
import { onRefund } from "./refund.ts";
import { onSubscription } from "./subscription.ts";

/**
 * The Stripe events we act on. Any other type is stored and acknowledged, never rejected. A Map, not an
 * object: an event type is data, and `__proto__` or `constructor` must find nothing.
 */
export const STRIPE_EVENT_EFFECTS: ReadonlyMap<string, StripeEventEffect> = new Map(Object.entries({
  "payment_intent.succeeded": onPaymentIntent,
  "payment_intent.payment_failed": onPaymentIntent,
  "payment_intent.processing": onPaymentIntent,
  "payment_intent.canceled": onPaymentIntent,
  "charge.refunded": onChargeRefunded,
  "refund.created": onRefund,
  "refund.updated": onRefund,
  "refund.failed": onRefund,
  "charge.refund.updated": onRefund,
  "charge.dispute.created": onDispute,
  "charge.dispute.updated": onDispute,
  "charge.dispute.closed": onDispute,
  "checkout.session.completed": onCheckoutSession,
  "checkout.session.async_payment_succeeded": onCheckoutSession,
  "checkout.session.async_payment_failed": onCheckoutSession,
  "checkout.session.expired": onCheckoutSessionExpired,
  "invoice.paid": onInvoice,
  "invoice.payment_failed": onInvoice,
  "invoice.payment_action_required": onInvoiceActionRequired,
  "invoice_payment.paid": onInvoicePayment,
  "customer.subscription.created": onSubscription,
  "customer.subscription.updated": onSubscription,
  "customer.subscription.deleted": onSubscription,
}));
