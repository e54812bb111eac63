import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { sql } from "../_shared/db/sql.ts";
import { validationProblem } from "../_shared/http/validation.ts";
import { createdMicros, historyFilter } from "./history-filter.ts";
import { historyPage, type HistoryFormat, type HistoryRow } from "./history-page.ts";
import { parseListQuery } from "./list-query.ts";

/** Stripe's subscription statuses (the webhook stores them as Stripe sends them). */
const SUBSCRIPTION_STATUSES = [
  "incomplete", "incomplete_expired", "trialing", "active", "past_due", "canceled", "unpaid", "paused",
] as const;

export interface SubscriptionView {
  id: string;
  enrollmentId: string | null;
  studentName: string | null;
  stripeSubscriptionId: string;
  stripeCustomer: string | null;
  stripePriceId: string | null;
  status: string;
  currentPeriodEnd: string | null;
  cancelAtPeriodEnd: boolean;
  canceledAt: string | null;
  createdAt: string;
  updatedAt: string;
}

interface SubscriptionRow {
  [column: string]: unknown;
  id: string; enrollment_id: string | null; student_name: string | null; stripe_subscription_id: string;
  stripe_customer: string | null; stripe_price_id: string | null; status: string; current_period_end: Date | null;
  cancel_at_period_end: boolean; canceled_at: Date | null; created_at: Date; updated_at: Date; created_micros: number;
}

const SUBSCRIPTIONS_FORMAT: HistoryFormat<SubscriptionView> = {
  member: "subscriptions",
  filename: "subscriptions.csv",
  header: [
    "id", "created_at", "enrollment_id", "student_name", "status", "stripe_subscription_id", "stripe_customer",
    "stripe_price_id", "current_period_end", "cancel_at_period_end", "canceled_at",
  ],
  cells: (s) => [
    s.id, s.createdAt, s.enrollmentId, s.studentName, s.status, s.stripeSubscriptionId, s.stripeCustomer,
    s.stripePriceId, s.currentPeriodEnd, s.cancelAtPeriodEnd, s.canceledAt,
  ],
};

function subscriptionRow(row: SubscriptionRow): HistoryRow<SubscriptionView> {
  return {
    id: row.id,
    createdMicros: row.created_micros,
    view: {
      id: row.id,
      enrollmentId: row.enrollment_id,
      studentName: row.student_name,
      stripeSubscriptionId: row.stripe_subscription_id,
      stripeCustomer: row.stripe_customer,
      stripePriceId: row.stripe_price_id,
      status: row.status,
      currentPeriodEnd: row.current_period_end?.toISOString() ?? null,
      cancelAtPeriodEnd: row.cancel_at_period_end,
      canceledAt: row.canceled_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
      updatedAt: row.updated_at.toISOString(),
    },
  };
}

/** GET /api/admin/subscriptions — the tenant's tuition subscriptions, newest first, as JSON pages or CSV. */
export async function listSubscriptions(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = parseListQuery(new URL(req.url), SUBSCRIPTION_STATUSES);
  if (!parsed.ok) return validationProblem("Invalid query", parsed.errors);
  const { query } = parsed;
  const statement = sql`
    select s.id, s.enrollment_id, e.student_name, s.stripe_subscription_id, s.stripe_customer, s.stripe_price_id,
           s.status, s.current_period_end, s.cancel_at_period_end, s.canceled_at, s.created_at, s.updated_at,
           ${createdMicros("s")} as created_micros
      from subscriptions s
      left join enrollments e on e.tenant_id = s.tenant_id and e.id = s.enrollment_id
     where ${historyFilter("s", admin.tenantId, query)}
     order by s.created_at desc, s.id desc
     limit ${query.limit + 1}`;
  const rows = await ctx.db.query<SubscriptionRow>(statement.text, statement.values);
  return historyPage(rows.map(subscriptionRow), query, SUBSCRIPTIONS_FORMAT);
}
