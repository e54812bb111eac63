import type { Db } from "../_shared/db/port.ts";
import type { SignatureStatus } from "../_shared/domain/enrollments/signature-status.ts";

// Each write below is one short statement guarded by the status (and `sending` mark) it expects, never a
// row lock held across a DocuSign call: two admins racing find one of them matching nothing (→ 409).

// A whole millisecond, built exactly (to_timestamp's float could round it), so the mark read back as a JS
// Date compares equal to the stored one.
const at = "(timestamptz 'epoch' + $3::bigint * interval '1 millisecond')";
const ms = (nowMs: number) => Math.round(nowMs);

/**
 * Marks the enrollment `sending` (before the envelope POST), if it is still at `from` (none, declined or
 * voided). The previous envelope id stays until the new one is recorded; its late events no longer match
 * while `sending` (advanceSignatureStatement). `clientUserId`: the signer's, when sent for embedded signing.
 * The mark's time, or `undefined` when the status changed meanwhile.
 */
export async function markSending(
  db: Db, tenantId: string, enrollmentId: string, nowMs: number, from: SignatureStatus, clientUserId: string | null,
): Promise<Date | undefined> {
  const [row] = await db.query<{ signature_sending_at: Date }>(
    `update enrollments set signature_status = 'sending', signature_sending_at = ${at}, signature_client_user_id = $5, updated_at = now()
      where tenant_id = $1 and id = $2 and signature_status = $4
      returning signature_sending_at`,
    [tenantId, enrollmentId, ms(nowMs), from, clientUserId],
  );
  return row && new Date(row.signature_sending_at);
}

/**
 * Takes over an abandoned `sending` (its POST's outcome never reached us) by renewing its mark, if no one
 * else took it over since it was read at `previousMark`. The new mark's time, or `undefined`.
 */
export async function claimAbandonedSending(
  db: Db, tenantId: string, enrollmentId: string, nowMs: number, previousMark: Date, clientUserId: string | null,
): Promise<Date | undefined> {
  const [row] = await db.query<{ signature_sending_at: Date }>(
    `update enrollments set signature_sending_at = ${at}, signature_client_user_id = $5, updated_at = now()
      where tenant_id = $1 and id = $2 and signature_status = 'sending' and signature_sending_at = $4::timestamptz
      returning signature_sending_at`,
    [tenantId, enrollmentId, ms(nowMs), previousMark, clientUserId],
  );
  return row && new Date(row.signature_sending_at);
}

/**
 * DocuSign refused the envelope (it answered, and created nothing): the enrollment goes back to `to`, as
 * if the send never started. Only our own mark is undone.
 */
export async function undoSending(db: Db, tenantId: string, enrollmentId: string, mark: Date, to: SignatureStatus): Promise<void> {
  await db.query(
    `update enrollments set signature_status = $4, signature_sending_at = null, updated_at = now()
      where tenant_id = $1 and id = $2 and signature_status = 'sending' and signature_sending_at = $3::timestamptz`,
    [tenantId, enrollmentId, mark, to],
  );
}

/**
 * Links the enrollment to its envelope (sent now, or found by the look-up at `status`), if it is still
 * under our `sending` mark — a Connect event may have linked it first through the `enrollmentId` custom
 * field, which is as good. Events of a previous (declined or voided) envelope no longer match it.
 * True when this call recorded it.
 */
export async function recordContractSent(
  tx: Db, tenantId: string, enrollmentId: string, mark: Date,
  envelope: { envelopeId: string; status: SignatureStatus; sentAtMs: number },
): Promise<boolean> {
  const rows = await tx.query(
    `update enrollments set signature_envelope_id = $5, signature_status = $6, signature_sent_at = ${at}, signature_sending_at = null,
            signature_completed_at = case when $6 = 'completed' then ${at} end, updated_at = now()
      where tenant_id = $1 and id = $2 and signature_status = 'sending' and signature_sending_at = $4::timestamptz
      returning id`,
    [tenantId, enrollmentId, ms(envelope.sentAtMs), mark, envelope.envelopeId, envelope.status],
  );
  return rows.length > 0;
}
