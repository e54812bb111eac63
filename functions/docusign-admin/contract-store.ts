import type { Db } from "../_shared/db/port.ts";

/** What sending an enrollment's contract needs to know about it. */
export interface ContractEnrollment {
  id: string;
  signerName: string | null;
  signerEmail: string | null;
  signatureStatus: string;
  envelopeId: string | null;
}

/**
 * An enrollment of `tenantId`, or `undefined` (another school's looks exactly like none). With `lock`, the
 * row stays locked until the transaction ends, so two sends of one contract run one after the other.
 */
export async function findContractEnrollment(
  db: Db, tenantId: string, enrollmentId: string, options: { lock?: boolean } = {},
): Promise<ContractEnrollment | undefined> {
  const [row] = await db.query<{
    id: string; signer_name: string | null; signer_email: string | null; signature_status: string; signature_envelope_id: string | null;
  }>(
    `select id, signer_name, signer_email, signature_status, signature_envelope_id
       from enrollments where tenant_id = $1 and id = $2${options.lock ? " for update" : ""}`,
    [tenantId, enrollmentId],
  );
  return row && {
    id: row.id,
    signerName: row.signer_name,
    signerEmail: row.signer_email,
    signatureStatus: row.signature_status,
    envelopeId: row.signature_envelope_id,
  };
}

/**
 * Links the enrollment to its new envelope: status `sent`, sent now, not completed. The webhook moves it
 * forward from here; events of a previous (declined or voided) envelope no longer match it.
 */
export async function recordContractSent(
  tx: Db, tenantId: string, enrollmentId: string, envelopeId: string, sentAtMs: number,
): Promise<Date> {
  const [row] = await tx.query<{ signature_sent_at: Date }>(
    `update enrollments set signature_envelope_id = $3, signature_status = 'sent', signature_sent_at = to_timestamp($4::float8 / 1000),
            signature_completed_at = null, updated_at = now()
      where tenant_id = $1 and id = $2
      returning signature_sent_at`,
    [tenantId, enrollmentId, envelopeId, sentAtMs],
  );
  return row!.signature_sent_at;
}
