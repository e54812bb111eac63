import type { Db } from "../_shared/db/port.ts";

export type CheckoutKind = "enrollment_fee" | "tuition";

/** A Checkout Session we opened, as `checkout_sessions` keeps it. */
export interface StoredCheckoutSession {
  stripeSessionId: string;
  url: string;
  amount: number | null;
  currency: string | null;
  stripePriceId: string | null;
  expiresAt: Date;
}

interface Key {
  tenantId: string;
  enrollmentId: string;
  kind: CheckoutKind;
}

/**
 * The newest session of this kind for the enrollment that we still count as open at `nowMs`.
 * @example const open = await findOpenSession(tx, { tenantId, enrollmentId, kind: "tuition" }, ctx.now());
 */
export async function findOpenSession(db: Db, key: Key, nowMs: number): Promise<StoredCheckoutSession | undefined> {
  const [row] = await db.query<{
    stripe_session_id: string; url: string; amount: number | null; currency: string | null; stripe_price_id: string | null; expires_at: Date;
  }>(
    `select stripe_session_id, url, amount, currency, stripe_price_id, expires_at from checkout_sessions
      where tenant_id = $1 and enrollment_id = $2 and kind = $3 and status = 'open'
        and expires_at > to_timestamp($4::float8 / 1000)
      order by created_at desc limit 1`,
    [key.tenantId, key.enrollmentId, key.kind, nowMs],
  );
  return row && {
    stripeSessionId: row.stripe_session_id,
    url: row.url,
    amount: row.amount,
    currency: row.currency,
    stripePriceId: row.stripe_price_id,
    expiresAt: row.expires_at,
  };
}

/** How many sessions of this kind we ever opened for the enrollment (part of the next one's idempotency key). */
export async function countSessions(db: Db, key: Key): Promise<number> {
  const [row] = await db.query<{ count: number }>(
    "select count(*)::int as count from checkout_sessions where tenant_id = $1 and enrollment_id = $2 and kind = $3",
    [key.tenantId, key.enrollmentId, key.kind],
  );
  return row?.count ?? 0;
}

/**
 * Keeps a session Stripe opened. A session Stripe replayed for a retried idempotency key is already
 * here when our earlier attempt got this far, and is left as it is.
 */
export async function recordSession(db: Db, key: Key, session: StoredCheckoutSession): Promise<void> {
  await db.query(
    `insert into checkout_sessions (tenant_id, enrollment_id, kind, stripe_session_id, url, amount, currency, stripe_price_id, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (tenant_id, stripe_session_id) do nothing`,
    [key.tenantId, key.enrollmentId, key.kind, session.stripeSessionId, session.url, session.amount, session.currency,
      session.stripePriceId, session.expiresAt],
  );
}

/** Marks a session as no longer payable (expired by us or by Stripe) or as completed. */
export async function markSession(db: Db, tenantId: string, stripeSessionId: string, status: "expired" | "complete"): Promise<void> {
  await db.query("update checkout_sessions set status = $3 where tenant_id = $1 and stripe_session_id = $2", [tenantId, stripeSessionId, status]);
}
