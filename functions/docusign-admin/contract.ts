import * as z from "zod";
import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { isUuid } from "../_shared/http/uuid.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { sendEnvelopeFromTemplate } from "../_shared/providers/docusign/envelopes.ts";
import { DocuSignSetupError } from "../_shared/providers/docusign/errors.ts";
import { openTenantDocuSign } from "../_shared/providers/docusign/tenant-docusign.ts";
import { findContractEnrollment, recordContractSent, type ContractEnrollment } from "./contract-store.ts";

const ContractBody = z.strictObject({
  // Another of the account's templates than the configured one, for this enrollment only.
  templateId: z.string().trim().min(1).max(100).optional(),
});

/** A contract out for signature, or signed: sending another would ask the signer twice. */
const IN_FLIGHT = new Set(["sent", "delivered", "completed"]);

const notFound = () => new ProblemError({ status: 404, title: "Enrollment not found", code: "ERR_ENROLLMENT_NOT_FOUND" });

/** The signer to send to, or a 409 naming what the enrollment lacks or why it already has a contract. */
function signerOf(enrollment: ContractEnrollment): { email: string; name: string } {
  if (IN_FLIGHT.has(enrollment.signatureStatus)) {
    throw new ProblemError({
      status: 409, title: "Contract already sent", code: "ERR_CONTRACT_ALREADY_SENT",
      detail: `this enrollment's contract is ${enrollment.signatureStatus} (envelope ${enrollment.envelopeId}); a new one can be sent once it is declined or voided`,
    });
  }
  const missing = [enrollment.signerEmail ? null : "signer_email", enrollment.signerName ? null : "signer_name"].filter(Boolean);
  if (missing.length > 0) {
    throw new ProblemError({
      status: 409, title: "Enrollment has no signer", code: "ERR_ENROLLMENT_NO_SIGNER",
      detail: `set the enrollment's ${missing.join(" and ")} before sending its contract`,
    });
  }
  return { email: enrollment.signerEmail!, name: enrollment.signerName! };
}

/**
 * POST /api/admin/enrollments/{id}/contract `{templateId?}` — sends the school's contract template to the
 * enrollment's signer and records the envelope (`signature_envelope_id`, status `sent`, `signature_sent_at`).
 * The enrollment row is locked while DocuSign is called, so a double click sends one envelope and the second
 * click gets 409; if DocuSign refuses, nothing is recorded. A declined or voided contract can be sent again.
 */
export async function sendContract(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const { tenantId } = admin;
  const enrollmentId = ctx.params.id;
  if (!isUuid(enrollmentId)) throw notFound();
  const parsed = ContractBody.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid contract request", errors: fieldErrors(parsed.error) });

  // Cheap refusals first, before any DocuSign call.
  const found = await findContractEnrollment(ctx.db, tenantId, enrollmentId);
  if (!found) throw notFound();
  signerOf(found);
  const { client, settings } = await openTenantDocuSign(ctx, tenantId, { requireEnabled: true });
  const templateId = parsed.data.templateId ?? settings.templateId;
  if (!templateId) throw new DocuSignSetupError("ERR_DOCUSIGN_NO_TEMPLATE", "this school has no contract template configured (settings.templateId)");
  // Token and account now, so the row lock below is held for the envelope call only.
  await client.account();

  return ctx.db.transaction(async (tx) => {
    const enrollment = await findContractEnrollment(tx, tenantId, enrollmentId, { lock: true });
    if (!enrollment) throw notFound();
    const signer = signerOf(enrollment);
    const envelope = await sendEnvelopeFromTemplate(client, { templateId, roleName: settings.signerRoleName ?? "signer", signer });
    const sentAt = await recordContractSent(tx, tenantId, enrollment.id, envelope.envelopeId, ctx.now());
    await writeAudit(tx, {
      tenantId, actor: admin.userId, action: "enrollment.contract_sent", target: enrollment.id,
      details: { envelopeId: envelope.envelopeId, templateId, previousEnvelopeId: enrollment.envelopeId },
    });
    ctx.log.info("contract sent", { enrollmentId: enrollment.id, envelopeId: envelope.envelopeId });
    return json(
      { enrollmentId: enrollment.id, envelopeId: envelope.envelopeId, signatureStatus: "sent", signatureSentAt: sentAt.toISOString() },
      { status: 201 },
    );
  });
}
