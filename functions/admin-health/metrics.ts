import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";

const DAY_MS = 86_400_000;
export const MAX_DAYS = 90;

const Query = z.strictObject({
  days: z.string().regex(/^\d{1,3}$/, "must be a whole number").transform(Number)
    .refine((n) => n >= 1 && n <= MAX_DAYS, `must be between 1 and ${MAX_DAYS}`).optional(),
});

// Days are UTC calendar days, as text, so every runtime and database session groups them alike.
const DAY = "to_char(created_at at time zone 'UTC', 'YYYY-MM-DD')";

/**
 * GET /api/admin/metrics?days=30 — per UTC day over the last `days` days (today included) for the caller's
 * tenant: webhook events per source and status, payments per status and currency (count and amount in minor
 * units), emails per outbox status. Only days with something to count are listed.
 */
export async function metrics(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = Query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationProblem("Invalid query", fieldErrors(parsed.error));
  const days = parsed.data.days ?? 30;
  const today = Math.floor(ctx.now() / DAY_MS) * DAY_MS;
  const from = new Date(today - (days - 1) * DAY_MS);
  const until = new Date(today + DAY_MS);
  const window = [admin.tenantId, from, until];

  const [events, payments, emails] = await Promise.all([
    ctx.db.query<{ day: string; source: string; status: string; count: number }>(
      `select ${DAY} as day, source, status, count(*)::int as count from webhook_events
        where tenant_id = $1 and created_at >= $2 and created_at < $3
        group by 1, 2, 3 order by 1, 2, 3`, window),
    ctx.db.query<{ day: string; status: string; currency: string; count: number; amount: number }>(
      `select ${DAY} as day, status, currency, count(*)::int as count, sum(amount)::int8 as amount from payments
        where tenant_id = $1 and created_at >= $2 and created_at < $3
        group by 1, 2, 3 order by 1, 2, 3`, window),
    ctx.db.query<{ day: string; status: string; count: number }>(
      `select ${DAY} as day, status, count(*)::int as count from email_messages
        where tenant_id = $1 and created_at >= $2 and created_at < $3
        group by 1, 2 order by 1, 2`, window),
  ]);

  return json({
    days,
    from: from.toISOString().slice(0, 10),
    to: new Date(today).toISOString().slice(0, 10),
    timezone: "UTC",
    events,
    payments,
    emails,
  });
}
