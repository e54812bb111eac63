import { sql, type Statement } from "../../db/sql.ts";
import type { EmailKind } from "./kinds.ts";

export interface EnqueueEmailInput {
  tenantId: string;
  kind: EmailKind;
  /** A non-empty address; the caller skips the email when it has none. */
  to: { email: string; name?: string };
  /**
   * What makes this email unique for its kind and tenant — the id of what caused it (a PaymentIntent id, an
   * envelope id + event): enqueueing the same key again does nothing, however often the event is applied.
   */
  dedupeKey: string;
  /** The template's dynamic data (amounts, names, links). Never a secret. */
  data: Record<string, unknown>;
}

/**
 * An email for the outbox as one statement that inserts nothing unless `gate` holds — so it goes into an
 * event's atomic effect (`EventEffect.statements`) and is enqueued exactly when the event is applied, never
 * lost and never twice. Inside a transaction (`EventEffect.apply`) run it with the default gate.
 * The email-sender job sends it.
 * @example
 * return { statements: (gate) => [upsertPaymentStatement(payment, gate), enqueueEmailStatement({
 *   tenantId, kind: "payment_confirmation", to: { email }, dedupeKey: intentId, data: { amount } }, gate)] };
 */
export function enqueueEmailStatement(input: EnqueueEmailInput, gate: Statement = sql`true`): Statement {
  return sql`insert into email_messages (tenant_id, kind, to_email, to_name, data, dedupe_key)
    select ${input.tenantId}::uuid, ${input.kind}, ${input.to.email.trim()}, ${input.to.name?.trim() || null},
           ${JSON.stringify(input.data)}::jsonb, ${input.dedupeKey}
     where ${gate}
    on conflict (tenant_id, kind, dedupe_key) do nothing`;
}
