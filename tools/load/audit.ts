// After the deliveries: what the database holds, compared with what the scenario says it must. An event is
// lost when it is not stored and processed, or when an effect it must have had is missing; duplicated when
// it is stored twice, applied twice, or its effect counted twice (a second payment row for an intent, a
// refund row twice, a refunded amount above what was refunded).
import type { Db } from "../../functions/_shared/db/port.ts";
import type { ExpectedState, Scenario } from "./scenario.ts";

export interface AuditFinding {
  kind: "lost" | "duplicated";
  what: string;
  count: number;
}

export interface Audit {
  /** Distinct events of the run stored and processed. */
  stored: number;
  lost: number;
  duplicated: number;
  findings: AuditFinding[];
}

const tenantList = (scenario: Scenario) => [...new Set(scenario.events.map((e) => e.tenantId))].join(",");

/**
 * Reads this run's rows (its tenants, its event-id prefix) and counts what was lost or duplicated.
 * `failedEventIds`: events answered as stored-failed, whose extra attempt is a retry, not a duplicate.
 */
export async function auditRun(db: Db, scenario: Scenario, failedEventIds: ReadonlySet<string>): Promise<Audit> {
  const findings: AuditFinding[] = [];
  const note = (kind: AuditFinding["kind"], what: string, count: number) => {
    if (count > 0) findings.push({ kind, what, count });
  };
  const tenants = tenantList(scenario);

  const rows = await db.query<{ external_id: string; rows: number; processed: number; max_attempts: number }>(
    `select external_id, count(*)::int as rows, count(*) filter (where status = 'processed')::int as processed,
            max(attempts)::int as max_attempts
       from webhook_events
      where tenant_id = any(string_to_array($1, ',')::uuid[]) and source = 'stripe' and starts_with(external_id, $2)
      group by external_id`,
    [tenants, scenario.eventIdPrefix],
  );
  const byId = new Map(rows.map((r) => [r.external_id, r]));
  const stored = rows.filter((r) => r.processed > 0).length;
  note("lost", "events not stored as processed", scenario.events.filter((e) => !(byId.get(e.eventId)?.processed)).length);
  note("duplicated", "events stored more than once", rows.reduce((n, r) => n + r.rows - 1, 0));
  // An event is applied once per attempt that stored it; only a failed attempt explains a second one.
  note("duplicated", "events applied more than once", rows.filter((r) => r.max_attempts > 1 && !failedEventIds.has(r.external_id)).length);

  await auditDomain(db, scenario.expected, tenants, note);
  const count = (kind: AuditFinding["kind"]) => findings.filter((f) => f.kind === kind).reduce((n, f) => n + f.count, 0);
  return { stored, lost: count("lost"), duplicated: count("duplicated"), findings };
}

async function auditDomain(
  db: Db, expected: ExpectedState, tenants: string, note: (kind: AuditFinding["kind"], what: string, count: number) => void,
): Promise<void> {
  const payments = await db.query<{ tenant_id: string; intent: string; rows: number; status: string; amount_refunded: number }>(
    `select tenant_id, stripe_payment_intent as intent, count(*)::int as rows, max(status) as status,
            sum(amount_refunded)::int8 as amount_refunded
       from payments where tenant_id = any(string_to_array($1, ',')::uuid[]) and stripe_payment_intent is not null
      group by tenant_id, stripe_payment_intent`,
    [tenants],
  );
  const paymentByIntent = new Map(payments.map((p) => [p.intent, p]));
  let missing = 0, wrongStatus = 0, refundedShort = 0, refundedTwice = 0;
  for (const [intent, want] of expected.payments) {
    const got = paymentByIntent.get(intent);
    if (!got || got.tenant_id !== want.tenantId) missing++;
    else {
      if (got.status !== want.status) wrongStatus++;
      if (got.amount_refunded < want.amountRefunded) refundedShort++;
      if (got.amount_refunded > want.amountRefunded) refundedTwice++;
    }
  }
  note("lost", "payments missing", missing);
  note("lost", "payments not in their final status", wrongStatus);
  note("lost", "payments with a refund not counted", refundedShort);
  note("duplicated", "payments with a refund counted twice", refundedTwice);
  note("duplicated", "payment rows beyond one per intent", payments.reduce((n, p) => n + p.rows - 1, 0));
  note("duplicated", "payments no event asked for", payments.filter((p) => !expected.payments.has(p.intent)).length);

  const refunds = await db.query<{ refund: string; rows: number }>(
    `select stripe_refund_id as refund, count(*)::int as rows from refunds
      where tenant_id = any(string_to_array($1, ',')::uuid[]) group by stripe_refund_id`,
    [tenants],
  );
  const refundIds = new Set(refunds.map((r) => r.refund));
  note("lost", "refunds missing", [...expected.refunds.keys()].filter((id) => !refundIds.has(id)).length);
  note("duplicated", "refund rows beyond one per refund", refunds.reduce((n, r) => n + r.rows - 1, 0) + refunds.filter((r) => !expected.refunds.has(r.refund)).length);

  const subscriptions = await db.query<{ subscription: string; rows: number; status: string }>(
    `select stripe_subscription_id as subscription, count(*)::int as rows, max(status) as status from subscriptions
      where tenant_id = any(string_to_array($1, ',')::uuid[]) group by stripe_subscription_id`,
    [tenants],
  );
  const subscriptionById = new Map(subscriptions.map((s) => [s.subscription, s]));
  note("lost", "subscriptions missing", [...expected.subscriptions.keys()].filter((id) => !subscriptionById.has(id)).length);
  note("lost", "subscriptions not in their newest state",
    [...expected.subscriptions].filter(([id, want]) => subscriptionById.has(id) && subscriptionById.get(id)!.status !== want.status).length);
  note("duplicated", "subscription rows beyond one per subscription", subscriptions.reduce((n, s) => n + s.rows - 1, 0));
}
