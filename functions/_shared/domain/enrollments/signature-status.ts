import type { Db } from "../../db/port.ts";
import { raw, sql, type Statement } from "../../db/sql.ts";
import { isUuid } from "../../http/uuid.ts";

/**
 * An enrollment's contract signature status and its rank: a status only replaces one of lower rank, so
 * Connect events arriving out of order (they do) never move a contract back — a late `envelope-delivered`
 * never undoes `completed`. Completed, declined and voided share the top rank: each ends the envelope, and
 * none replaces another. `sending` (our own mark while the envelope POST runs, DESIGN.md "Contracts
 * (DocuSign)") sits before `sent`, so any Connect event of the envelope moves past it.
 */
export const SIGNATURE_STATUS_RANK = {
  none: 0,
  sending: 1,
  sent: 2,
  delivered: 3,
  completed: 4,
  declined: 4,
  voided: 4,
} as const;

export type SignatureStatus = keyof typeof SIGNATURE_STATUS_RANK;

/** The rank of `enrollments.signature_status` in SQL, from the one table above. */
export const STORED_RANK_SQL = raw(
  `(case enrollments.signature_status ${Object.entries(SIGNATURE_STATUS_RANK).map(([status, rank]) => `when '${status}' then ${rank}`).join(" ")} else 0 end)`,
);

export interface SignatureAdvance {
  tenantId: string;
  envelopeId: string;
  status: Exclude<SignatureStatus, "none" | "sending">;
  /** When DocuSign says it happened (ISO 8601); the database's clock when unknown. */
  at: string | null;
  /**
   * The envelope's `enrollmentId` custom field, when it has one: an enrollment of this tenant still
   * `sending` (the POST's answer never reached us) is linked to this envelope by it, so the envelope is
   * recorded even though its id never was.
   */
  enrollmentId?: string | null;
}

/**
 * Moves the enrollment linked to an envelope forward to `status`, as one statement that changes nothing
 * unless `gate` holds (see EventEffect) or the enrollment is already at that rank or past it. Records when
 * the envelope was sent (if not yet known) and when it was completed. An envelope no enrollment of this
 * tenant is linked to (a test send, a contract replaced by a newer one) matches nothing — except through
 * `enrollmentId` while that enrollment is `sending`: then it is linked (and the envelope id recorded).
 * While `sending`, the previous envelope's id may still be in the row; its late events match nothing.
 */
export function advanceSignatureStatement(advance: SignatureAdvance, gate: Statement): Statement {
  const at = sql`coalesce(${advance.at}::timestamptz, now())`;
  const enrollmentId = advance.enrollmentId && isUuid(advance.enrollmentId) ? advance.enrollmentId.toLowerCase() : null;
  return sql`
    update enrollments set
      signature_envelope_id = ${advance.envelopeId}::text,
      signature_sending_at = null,
      signature_status = ${advance.status}::text,
      signature_sent_at = case when ${advance.status}::text = 'sent' then coalesce(enrollments.signature_sent_at, ${at})
                               else enrollments.signature_sent_at end,
      signature_completed_at = case when ${advance.status}::text = 'completed' then ${at}
                                    else enrollments.signature_completed_at end,
      updated_at = now()
     where enrollments.tenant_id = ${advance.tenantId}
       and ((enrollments.signature_envelope_id = ${advance.envelopeId}::text and enrollments.signature_status <> 'sending')
         or (enrollments.id = ${enrollmentId}::uuid and enrollments.signature_status = 'sending'))
       and ${STORED_RANK_SQL} < ${SIGNATURE_STATUS_RANK[advance.status]}::int
       and ${gate}`;
}

/** The signer of the enrollment linked to an envelope, when that enrollment is (now) at `status`. */
export interface EnvelopeSigner {
  enrollmentId: string;
  signerEmail: string | null;
  signerName: string | null;
  studentName: string | null;
}

/**
 * The enrollment linked to `envelopeId` if its status is `status` — after an advance in the same
 * transaction, whether this event or an earlier step (the contract call records `sent` itself) put it there.
 */
export async function findSignerAtStatus(
  tx: Db, tenantId: string, envelopeId: string, status: SignatureStatus,
): Promise<EnvelopeSigner | undefined> {
  const [row] = await tx.query<{ id: string; signer_email: string | null; signer_name: string | null; student_name: string | null }>(
    `select id, signer_email, signer_name, student_name from enrollments
      where tenant_id = $1 and signature_envelope_id = $2 and signature_status = $3
      order by created_at limit 1`,
    [tenantId, envelopeId, status],
  );
  return row && { enrollmentId: row.id, signerEmail: row.signer_email, signerName: row.signer_name, studentName: row.student_name };
}
