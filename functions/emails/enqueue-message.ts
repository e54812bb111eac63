import type { Context } from "../_shared/context.ts";
import { sql } from "../_shared/db/sql.ts";
import { enqueueEmailStatement } from "../_shared/domain/email/enqueue.ts";
import { sealEmailData } from "../_shared/domain/email/sealed-data.ts";
import type { EmailStatus } from "../_shared/domain/email/kinds.ts";
import type { EnqueueRequest } from "./request.ts";

/** The outbox row the request resolved to: the one it created, or the one its dedupe key already had. */
export interface EnqueuedMessage {
  id: string;
  status: EmailStatus;
  duplicate: boolean;
}

/**
 * Adds the email to the outbox with its template data sealed (it may hold a sign-in link), once per
 * (tenant, kind, dedupe key); the email-sender job sends it.
 * @example const message = await enqueueMessage(ctx, request, dedupeKey);
 */
export async function enqueueMessage(ctx: Context, request: EnqueueRequest, dedupeKey: string): Promise<EnqueuedMessage> {
  const input = {
    tenantId: request.tenantId,
    kind: request.kind,
    to: { email: request.to.email, ...(request.to.name ? { name: request.to.name } : {}) },
    dedupeKey,
    data: await sealEmailData(ctx.vault, request.tenantId, request.data),
  };
  const insert = sql`${enqueueEmailStatement(input)} returning id, status`;
  const [inserted] = await ctx.db.query<{ id: string; status: EmailStatus }>(insert.text, insert.values);
  if (inserted) return { ...inserted, duplicate: false };
  const [existing] = await ctx.db.query<{ id: string; status: EmailStatus }>(
    "select id, status from email_messages where tenant_id = $1 and kind = $2 and dedupe_key = $3",
    [request.tenantId, request.kind, dedupeKey],
  );
  return { ...existing!, duplicate: true };
}
