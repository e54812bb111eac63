import { sql, type Statement } from "../../db/sql.ts";

/**
 * Closes the Checkout Session the checkout function opened (`complete` or `expired`), so it is no longer
 * offered for reuse. Sessions opened elsewhere (the Dashboard, a payment link) match no row: nothing happens.
 */
export function closeCheckoutSessionStatement(
  tenantId: string, sessionId: string, status: "complete" | "expired", gate: Statement = sql`true`,
): Statement {
  return sql`update checkout_sessions set status = ${status}
    where tenant_id = ${tenantId} and stripe_session_id = ${sessionId} and status = 'open' and ${gate}`;
}
