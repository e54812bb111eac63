// The Stripe event types for money a school relies on — disputes (`charge.dispute.*`) and unpaid or paid tuition
// invoices — under fuzzing: verified events with drawn objects (any JSON where Stripe puts ids, amounts,
// statuses, emails and links) are always stored and acknowledged, never a 5xx; and any order of a dispute's
// status events ends on the same status, the highest-ranked one delivered (forward-only).
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { DISPUTE_STATUS_RANK } from "../../functions/_shared/domain/payments/statuses.ts";
import { stripeWebhook } from "../support/function-handlers.ts";
import { ADAPTERS, openTestDatabase } from "../support/database.ts";
import { contextFor, testServices } from "../support/services.ts";
import { dispute, signedStripeRequest, stripeEvent, tuitionInvoice } from "../support/stripe.ts";
import { createStripeTenant } from "../support/tenants.ts";

const RUNS = Math.max(40, Math.floor(Number(process.env.FUZZ_RUNS ?? (process.env.CI ? 2_000 : 400)) / 10));
const TYPES = [
  "charge.dispute.created", "charge.dispute.updated", "charge.dispute.closed",
  "invoice.payment_action_required", "invoice.payment_failed", "invoice.paid",
];
const DISPUTE_STATUSES = [...DISPUTE_STATUS_RANK.keys()];

/** Any JSON value, and the values Stripe's fields are most likely to be confused with. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, "", " ", -1, 0, 2 ** 53, 1.5, "pi_", "__proto__", "constructor", "javascript:alert(1)", "not an email"),
);

describe.each(ADAPTERS)("Stripe money events under fuzzing on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(() => db?.close());

  async function setup() {
    const services = await testServices(db);
    const secret = `whsec_${crypto.randomUUID().replaceAll("-", "")}`;
    const tenantId = await createStripeTenant(services, secret);
    const deliver = async (event: object) => {
      const res = await stripeWebhook(signedStripeRequest(tenantId, JSON.stringify(event), { secret }), contextFor(services, { tenantId }));
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    return { tenantId, deliver };
  }

  it(`stores and acknowledges every drawn dispute and invoice object (${RUNS} cases)`, async () => {
    const { tenantId, deliver } = await setup();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...TYPES),
        fc.dictionary(
          fc.constantFrom("id", "status", "amount", "currency", "payment_intent", "charge", "reason", "created", "evidence_details",
            "metadata", "customer_email", "customer_name", "hosted_invoice_url", "amount_due", "amount_paid", "attempt_count",
            "next_payment_attempt", "parent", "payments"),
          anyValue,
        ),
        async (type, overrides) => {
          const base = type.startsWith("charge.dispute.") ? dispute({ paymentIntent: "pi_fuzz" }) : tuitionInvoice();
          const { status, json } = await deliver(stripeEvent(type, { ...base, ...overrides }));
          sent += 1;
          expect(status, JSON.stringify(json)).toBe(200);
          expect(json.received).toBe(1);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await db.query("select count(*)::int as n from webhook_events where tenant_id = $1", [tenantId])).toEqual([{ n: sent }]);
  });

  it(`a dispute's status events in any order end on the highest-ranked status delivered (${RUNS} cases)`, async () => {
    const { tenantId, deliver } = await setup();
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ status: fc.constantFrom(...DISPUTE_STATUSES), created: fc.integer({ min: 1, max: 1_000 }) }), { minLength: 1, maxLength: 6 }),
        async (updates) => {
          const du = dispute({ paymentIntent: "pi_fuzz_order" });
          for (const { status, created } of updates) {
            await deliver(stripeEvent("charge.dispute.updated", { ...du, status }, { created: 1_789_000_000 + created }));
          }
          const [row] = await db.query<{ status: string }>(
            "select status from disputes where tenant_id = $1 and stripe_dispute_id = $2", [tenantId, du.id]);
          // The winner: highest rank, then the latest event among those (ties in both: any of them).
          const rank = (s: string) => DISPUTE_STATUS_RANK.get(s)!;
          const top = Math.max(...updates.map((u) => rank(u.status)));
          const latest = Math.max(...updates.filter((u) => rank(u.status) === top).map((u) => u.created));
          const winners = updates.filter((u) => rank(u.status) === top && u.created === latest).map((u) => u.status);
          expect(winners).toContain(row!.status);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
