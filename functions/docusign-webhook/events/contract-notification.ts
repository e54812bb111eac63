import type { EnqueueEmailInput } from "../../_shared/domain/email/enqueue.ts";
import type { EnvelopeSigner } from "../../_shared/domain/enrollments/signature-status.ts";

/**
 * The `contract_notification` email to an enrollment's signer when its contract is sent or completed;
 * `undefined` when the enrollment has no signer email. Keyed by envelope + event, so a redelivery, a retry
 * or a replay of the event enqueues it once.
 * Template data: `event` (`envelope-sent` | `envelope-completed`), `status` (`sent` | `completed`),
 * `envelopeId`, `enrollmentId`, `studentName`, `signerName`.
 */
export function contractNotification(
  tenantId: string, envelopeId: string, event: string, status: "sent" | "completed", signer: EnvelopeSigner,
): EnqueueEmailInput | undefined {
  const email = signer.signerEmail?.trim();
  if (!email) return undefined;
  return {
    tenantId,
    kind: "contract_notification",
    to: signer.signerName?.trim() ? { email, name: signer.signerName.trim() } : { email },
    dedupeKey: `${envelopeId}:${event}`,
    data: { event, status, envelopeId, enrollmentId: signer.enrollmentId, studentName: signer.studentName, signerName: signer.signerName },
  };
}
