import type { Db } from "../../db/port.ts";
import { isUuid } from "../../http/uuid.ts";
import type { SignatureStatus } from "./signature-status.ts";

/** What sending, voiding, resending, downloading or signing an enrollment's contract needs to know about it. */
export interface ContractEnrollment {
  id: string;
  studentName: string | null;
  signerName: string | null;
  signerEmail: string | null;
  signatureStatus: SignatureStatus;
  envelopeId: string | null;
  sentAt: Date | null;
  /** When the current `sending` began (null unless `sending`). */
  sendingAt: Date | null;
  /** The signer's `clientUserId` when the envelope was sent for embedded signing, else null. */
  clientUserId: string | null;
  /** Tuition in minor units and its currency, for the contract's `tuitionAmount` tab. */
  tuitionAmount: number | null;
  tuitionCurrency: string | null;
}

/**
 * An enrollment of `tenantId`, or `undefined` (another school's, or an id that is no UUID — a path segment —
 * looks exactly like none). Never locks: no
 * DocuSign call runs under a row lock; writes are guarded by the status they expect instead.
 * @example const enrollment = await findContractEnrollment(ctx.db, tenantId, enrollmentId);
 */
export async function findContractEnrollment(db: Db, tenantId: string, enrollmentId: string | undefined): Promise<ContractEnrollment | undefined> {
  if (!isUuid(enrollmentId)) return undefined;
  const [row] = await db.query<{
    id: string; student_name: string | null; signer_name: string | null; signer_email: string | null; signature_status: SignatureStatus;
    signature_envelope_id: string | null; signature_sent_at: Date | null; signature_sending_at: Date | null; signature_client_user_id: string | null;
    tuition_amount: string | number | null; tuition_currency: string | null;
  }>(
    `select id, student_name, signer_name, signer_email, signature_status, signature_envelope_id, signature_sent_at, signature_sending_at,
            signature_client_user_id, tuition_amount, tuition_currency
       from enrollments where tenant_id = $1 and id = $2`,
    [tenantId, enrollmentId.toLowerCase()],
  );
  return row && {
    id: row.id,
    studentName: row.student_name,
    signerName: row.signer_name,
    signerEmail: row.signer_email,
    signatureStatus: row.signature_status,
    envelopeId: row.signature_envelope_id,
    sentAt: row.signature_sent_at && new Date(row.signature_sent_at),
    sendingAt: row.signature_sending_at && new Date(row.signature_sending_at),
    clientUserId: row.signature_client_user_id,
    tuitionAmount: row.tuition_amount === null ? null : Number(row.tuition_amount),
    tuitionCurrency: row.tuition_currency,
  };
}

/** A contract out for signature: DocuSign can still void it, resend it, or show it to its signer. */
export const OUT_FOR_SIGNATURE: ReadonlySet<SignatureStatus> = new Set(["sent", "delivered"]);
