import * as z from "zod";
import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import type { AccessibleEnrollment } from "../_shared/domain/enrollments/access.ts";
import { enrollmentNotFound } from "../_shared/domain/enrollments/access.ts";
import { findContractEnrollment, OUT_FOR_SIGNATURE } from "../_shared/domain/enrollments/contract-enrollment.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import { createRecipientView } from "../_shared/providers/docusign/envelope-actions.ts";
import { openTenantDocuSign } from "../_shared/providers/docusign/tenant-docusign.ts";
import { returnUrlFor } from "./return-url.ts";

const SigningBody = z.strictObject({ returnUrl: z.string().trim().min(1).max(2000).optional() });

/**
 * POST /api/enrollments/{id}/contract/signing-url `{returnUrl?}` → `{url}`: DocuSign's single-use signing
 * page for the enrollment's contract, for a member of the enrollment (or an admin of the school) to open
 * in the portal at once. Only an envelope sent for embedded signing (setting `embeddedSigning`: the signer
 * is a `clientUserId` recipient) can be signed this way; one sent by email is signed from DocuSign's email
 * (409). Reached only through enrollmentHandler, so non-members already got 404 with no DocuSign call.
 */
export async function signingUrl(req: Request, ctx: Context, user: Principal, accessible: AccessibleEnrollment): Promise<Response> {
  const parsed = SigningBody.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid signing request", errors: fieldErrors(parsed.error) });
  const returnUrl = returnUrlFor(ctx.config.appUrl, parsed.data.returnUrl, accessible.id);

  const enrollment = await findContractEnrollment(ctx.db, accessible.tenantId, accessible.id);
  if (!enrollment) throw enrollmentNotFound();
  if (!enrollment.envelopeId || !OUT_FOR_SIGNATURE.has(enrollment.signatureStatus)) {
    throw new ProblemError({
      status: 409, title: "No contract to sign", code: "ERR_CONTRACT_NOT_OUT",
      detail: `this enrollment's contract is ${enrollment.signatureStatus}: only a sent or delivered contract can be signed`,
    });
  }
  if (!enrollment.clientUserId || !enrollment.signerEmail || !enrollment.signerName) {
    throw new ProblemError({
      status: 409, title: "Contract is signed from email", code: "ERR_CONTRACT_NOT_EMBEDDED",
      detail: "this contract was sent by email: its signer signs from DocuSign's email (the school can resend it)",
    });
  }
  const { client } = await openTenantDocuSign(ctx, accessible.tenantId, { requireEnabled: true });
  const url = await createRecipientView(client, enrollment.envelopeId, {
    returnUrl, email: enrollment.signerEmail, userName: enrollment.signerName, clientUserId: enrollment.clientUserId,
  });
  await writeAudit(ctx.db, {
    tenantId: accessible.tenantId, actor: user.userId, action: "enrollment.contract_signing_view", target: enrollment.id,
    details: { envelopeId: enrollment.envelopeId, access: accessible.access },
  });
  // The URL is a bearer credential for the signing session: answered, never logged.
  ctx.log.info("contract signing view created", { enrollmentId: enrollment.id, envelopeId: enrollment.envelopeId });
  return json({ url }, { headers: { "cache-control": "no-store" } });
}
