import { sql } from "../../_shared/db/sql.ts";
import { enqueueEmailStatement } from "../../_shared/domain/email/enqueue.ts";
import type { EventEffect } from "../../_shared/webhooks/record-event.ts";
import { advanceSignatureStatement, findSignerAtStatus, type SignatureAdvance } from "../../_shared/domain/enrollments/signature-status.ts";
import { connectCustomField } from "../custom-fields.ts";
import { contractNotification } from "./contract-notification.ts";
import type { DocuSignEventEffect } from "./types.ts";

const STATUS_BY_EVENT: ReadonlyMap<string, SignatureAdvance["status"]> = new Map(Object.entries({
  "envelope-sent": "sent",
  "envelope-delivered": "delivered",
  "envelope-completed": "completed",
  "envelope-declined": "declined",
  "envelope-voided": "voided",
} as const));

/** With "Include Envelope Summary", Connect says when each step happened; else the event's own time is used. */
const SUMMARY_TIME_FIELD: Partial<Record<SignatureAdvance["status"], string>> = {
  sent: "sentDateTime",
  completed: "completedDateTime",
};

/** An ISO 8601 instant normalised for Postgres, or `null` for anything else (never a failing cast). */
function instantOf(value: unknown): string | null {
  if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(value)) return null;
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/**
 * Sent and completed also tell the signer (`contract_notification`). The signer's address is in the
 * enrollment row while `enqueueEmailStatement` takes it as a value, so these two run as a transaction —
 * advance, read the signer, enqueue — instead of one statement; still atomic with storing the event.
 * The email goes out when the enrollment is at the event's status after the advance: an `envelope-sent`
 * finds it already `sent` (the contract call recorded that), a late one after `completed` finds nothing.
 */
function advanceAndNotify(advance: SignatureAdvance & { status: "sent" | "completed" }, event: string): EventEffect {
  return {
    apply: async (tx) => {
      const statement = advanceSignatureStatement(advance, sql`true`);
      await tx.query(statement.text, statement.values);
      const signer = await findSignerAtStatus(tx, advance.tenantId, advance.envelopeId, advance.status);
      const email = signer && contractNotification(advance.tenantId, advance.envelopeId, event, advance.status, signer);
      if (!email) return;
      const enqueue = enqueueEmailStatement(email);
      await tx.query(enqueue.text, enqueue.values);
    },
  };
}

/**
 * `envelope-sent|delivered|completed|declined|voided` → the linked enrollment's signature status, forward
 * only, as one statement gated on storing the event; sent and completed also notify the signer.
 */
export const onEnvelopeStatus: DocuSignEventEffect = (tenantId, event) => {
  const envelopeId = event.data.envelopeId;
  const status = STATUS_BY_EVENT.get(event.event);
  if (!envelopeId || !status) return undefined;
  const summaryField = SUMMARY_TIME_FIELD[status];
  const at = (summaryField ? instantOf(event.data.envelopeSummary?.[summaryField]) : null) ?? instantOf(event.generatedDateTime);
  // Links an envelope whose id was never recorded (the POST's answer was lost) to its enrollment.
  const enrollmentId = connectCustomField(event, "enrollmentId");
  const advance: SignatureAdvance = { tenantId, envelopeId, status, at, enrollmentId: typeof enrollmentId === "string" ? enrollmentId : null };
  if (status === "sent" || status === "completed") return advanceAndNotify({ ...advance, status }, event.event);
  return { statements: (gate) => [advanceSignatureStatement(advance, gate)] };
};
