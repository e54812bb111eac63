import { displayAmount } from "./display-amount.ts";
import type { EnqueueEmailInput } from "./enqueue.ts";

/** The tuition emails an unpaid invoice causes, each with its own template (`settings.templates.<kind>`). */
export type InvoiceEmailKind = "payment_action_required" | "payment_failed";

export interface UnpaidInvoice {
  tenantId: string;
  invoice: string;
  enrollmentId: string | null;
  amountDue: number;
  currency: string;
  /** Stripe's page where the family confirms (3-D Secure) or pays with another card. */
  hostedInvoiceUrl: string | null;
  attemptCount: number | null;
  /** When Stripe retries on its own (seconds), or null when it will not. */
  nextPaymentAttempt: number | null;
}

/**
 * The email telling the family a tuition invoice needs their action (`invoice.payment_action_required`) or
 * could not be charged (`invoice.payment_failed`). Keyed by the invoice: one email of each kind per invoice,
 * however often Stripe redelivers or retries. Template data: `invoiceId`, `hostedInvoiceUrl`, `amount` (minor
 * units), `currency`, `amountDisplay`, `attemptCount`, `nextPaymentAttempt` (ISO time or null), `enrollmentId`.
 * @example enqueueEmailStatement(invoiceEmail("payment_failed", invoice, { email: "parent@example.com" }), gate)
 */
export function invoiceEmail(kind: InvoiceEmailKind, invoice: UnpaidInvoice, to: { email: string; name?: string }): EnqueueEmailInput {
  return {
    tenantId: invoice.tenantId,
    kind,
    to,
    dedupeKey: invoice.invoice,
    data: {
      invoiceId: invoice.invoice,
      hostedInvoiceUrl: invoice.hostedInvoiceUrl,
      amount: invoice.amountDue,
      currency: invoice.currency,
      amountDisplay: displayAmount(invoice.amountDue, invoice.currency),
      attemptCount: invoice.attemptCount,
      nextPaymentAttempt: invoice.nextPaymentAttempt === null ? null : new Date(invoice.nextPaymentAttempt * 1000).toISOString(),
      enrollmentId: invoice.enrollmentId,
    },
  };
}
