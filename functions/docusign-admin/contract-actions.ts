import * as z from "zod";
import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { sql } from "../_shared/db/sql.ts";
import { enrollmentNotFound } from "../_shared/domain/enrollments/access.ts";
import { findContractEnrollment, OUT_FOR_SIGNATURE, type ContractEnrollment } from "../_shared/domain/enrollments/contract-enrollment.ts";
import { advanceSignatureStatement } from "../_shared/domain/enrollments/signature-status.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { downloadCombinedPdf, resendEnvelope, voidEnvelope } from "../_shared/providers/docusign/envelope-actions.ts";
import { openTenantDocuSign } from "../_shared/providers/docusign/tenant-docusign.ts";

// DocuSign's limit for voidedReason (esignature.rest.swagger-v2.1.json: "maximum length: 200 characters").
const VoidBody = z.strictObject({ reason: z.string().trim().min(1, "must not be empty").max(200) });

/** The enrollment of the admin's tenant (404 otherwise: another school's looks like none). */
async function enrollmentOf(ctx: Context, admin: Principal): Promise<ContractEnrollment> {
  const enrollment = await findContractEnrollment(ctx.db, admin.tenantId, ctx.params.id);
  if (!enrollment) throw enrollmentNotFound();
  return enrollment;
}

/** 409 unless the contract is out for signature (sent or delivered): only then can it be voided or resent. */
function requireOutForSignature(enrollment: ContractEnrollment, action: string): string {
  if (!enrollment.envelopeId || !OUT_FOR_SIGNATURE.has(enrollment.signatureStatus)) {
    throw new ProblemError({
      status: 409, title: "Contract not out for signature", code: "ERR_CONTRACT_NOT_OUT",
      detail: `only a sent or delivered contract can be ${action}; this enrollment's is ${enrollment.signatureStatus}`,
    });
  }
  return enrollment.envelopeId;
}

/**
 * GET /api/admin/enrollments/{id}/contract/document — the envelope's combined PDF (the signed contract and
 * its certificate once completed), streamed from DocuSign as it arrives, never held in memory.
 */
export async function contractDocument(ctx: Context, admin: Principal): Promise<Response> {
  const enrollment = await enrollmentOf(ctx, admin);
  if (!enrollment.envelopeId || enrollment.signatureStatus === "none" || enrollment.signatureStatus === "sending") {
    throw new ProblemError({
      status: 409, title: "No contract sent", code: "ERR_CONTRACT_NOT_SENT",
      detail: `this enrollment has no recorded envelope (status ${enrollment.signatureStatus})`,
    });
  }
  const { client } = await openTenantDocuSign(ctx, admin.tenantId, { requireEnabled: false });
  const pdf = await downloadCombinedPdf(client, enrollment.envelopeId);
  ctx.log.info("contract document streamed", { enrollmentId: enrollment.id, envelopeId: enrollment.envelopeId });
  return new Response(pdf.body, {
    status: 200,
    headers: {
      "content-type": "application/pdf",
      "content-disposition": `attachment; filename="contract-${enrollment.id}.pdf"`,
      "cache-control": "private, no-store",
      ...(pdf.headers.get("content-length") ? { "content-length": pdf.headers.get("content-length")! } : {}),
    },
  });
}

/**
 * POST /api/admin/enrollments/{id}/contract/void `{reason}` — voids the envelope out for signature and
 * records `voided` at once (the Connect event that follows changes nothing more); a new contract can then
 * be sent.
 */
export async function voidContract(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = VoidBody.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid void request", errors: fieldErrors(parsed.error) });
  const enrollment = await enrollmentOf(ctx, admin);
  const envelopeId = requireOutForSignature(enrollment, "voided");
  const { client } = await openTenantDocuSign(ctx, admin.tenantId, { requireEnabled: true });
  await voidEnvelope(client, envelopeId, parsed.data.reason);
  await ctx.db.transaction(async (tx) => {
    const advance = advanceSignatureStatement({ tenantId: admin.tenantId, envelopeId, status: "voided", at: null }, sql`true`);
    await tx.query(advance.text, advance.values);
    await writeAudit(tx, {
      tenantId: admin.tenantId, actor: admin.userId, action: "enrollment.contract_voided", target: enrollment.id,
      details: { envelopeId, reason: parsed.data.reason },
    });
  });
  return json({ enrollmentId: enrollment.id, envelopeId, signatureStatus: "voided" });
}

/** POST /api/admin/enrollments/{id}/contract/resend — DocuSign emails the signer the envelope again. */
export async function resendContract(ctx: Context, admin: Principal): Promise<Response> {
  const enrollment = await enrollmentOf(ctx, admin);
  const envelopeId = requireOutForSignature(enrollment, "resent");
  const { client } = await openTenantDocuSign(ctx, admin.tenantId, { requireEnabled: true });
  await resendEnvelope(client, envelopeId);
  await writeAudit(ctx.db, {
    tenantId: admin.tenantId, actor: admin.userId, action: "enrollment.contract_resent", target: enrollment.id, details: { envelopeId },
  });
  return json({ enrollmentId: enrollment.id, envelopeId, signatureStatus: enrollment.signatureStatus, resent: true });
}
