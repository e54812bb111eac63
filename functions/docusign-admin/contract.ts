import * as z from "zod";
import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { enrollmentNotFound } from "../_shared/domain/enrollments/access.ts";
import { findContractEnrollment, type ContractEnrollment } from "../_shared/domain/enrollments/contract-enrollment.ts";
import { contractTextTabs } from "../_shared/domain/enrollments/contract-tabs.ts";
import { SIGNATURE_STATUS_RANK, type SignatureStatus } from "../_shared/domain/enrollments/signature-status.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { ProblemError } from "../_shared/http/problem-error.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors } from "../_shared/http/validation.ts";
import type { DocuSignClient } from "../_shared/providers/docusign/client.ts";
import { findEnvelopeByEnrollment } from "../_shared/providers/docusign/envelope-lookup.ts";
import { sendEnvelopeFromTemplate } from "../_shared/providers/docusign/envelopes.ts";
import { DocuSignApiError, DocuSignSetupError } from "../_shared/providers/docusign/errors.ts";
import { openTenantDocuSign } from "../_shared/providers/docusign/tenant-docusign.ts";
import { claimAbandonedSending, markSending, recordContractSent, undoSending } from "./contract-store.ts";

const ContractBody = z.strictObject({
  // Another of the account's templates than the configured one, for this enrollment only.
  templateId: z.string().trim().min(1).max(100).optional(),
});

/** A contract out for signature, or signed: sending another would ask the signer twice. */
const IN_FLIGHT = new Set<SignatureStatus>(["sent", "delivered", "completed"]);

/**
 * How long a `sending` may still be a send in progress: token + userinfo (6 s each) + the envelope POST
 * (45 s) with room to spare. Younger: 409, try later; older: its outcome was lost, and a retry may look.
 */
export const SENDING_IN_PROGRESS_MS = 2 * 60_000;
/** How far before our mark the look-up searches: DocuSign's clock and ours may differ a little. */
const LOOKUP_SLACK_MS = 10 * 60_000;

/** The signer to send to, or a 409 naming what the enrollment lacks or why it already has a contract. */
function signerOf(enrollment: ContractEnrollment, nowMs: number): { email: string; name: string } {
  if (IN_FLIGHT.has(enrollment.signatureStatus)) {
    throw new ProblemError({
      status: 409, title: "Contract already sent", code: "ERR_CONTRACT_ALREADY_SENT",
      detail: `this enrollment's contract is ${enrollment.signatureStatus} (envelope ${enrollment.envelopeId}); a new one can be sent once it is declined or voided`,
    });
  }
  const markAge = enrollment.sendingAt ? nowMs - enrollment.sendingAt.getTime() : Infinity;
  if (enrollment.signatureStatus === "sending" && markAge < SENDING_IN_PROGRESS_MS) {
    throw new ProblemError({
      status: 409, title: "Contract being sent", code: "ERR_CONTRACT_SENDING",
      detail: "this enrollment's contract is being sent right now; if that send fails, try again after Retry-After seconds",
      headers: { "retry-after": String(Math.ceil((SENDING_IN_PROGRESS_MS - markAge) / 1000)) },
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

const changedMeanwhile = () => new ProblemError({
  status: 409, title: "Contract changed meanwhile", code: "ERR_CONTRACT_CONFLICT",
  detail: "another request changed this enrollment's contract at the same time; reload it and try again",
});

/** The envelope POST's outcome is unknown (no answer, or DocuSign's own 5xx): it may exist. */
const outcomeUnknown = (error: unknown) =>
  error instanceof DocuSignApiError && (error.httpStatus === null || error.httpStatus >= 500);

/**
 * POST /api/admin/enrollments/{id}/contract `{templateId?}` — sends the school's contract template to the
 * enrollment's signer, safe to retry (DESIGN.md "Contracts (DocuSign)"):
 * 1. the enrollment is marked `sending` in its own short statement (a second click gets 409);
 * 2. the envelope is POSTed with no row lock held, carrying hidden `tenantId` and `enrollmentId` custom
 *    fields and the prefilled tabs;
 * 3. its id is recorded (`sent`). If DocuSign refused it, the mark is undone: nothing recorded. If the
 *    outcome is unknown (timeout, DocuSign's 5xx, the function killed), the enrollment stays `sending`:
 *    502, and a retry (after SENDING_IN_PROGRESS_MS) first looks the envelope up by its `enrollmentId`
 *    custom field and records the one it finds instead of sending a second — meanwhile Connect links it
 *    through the same field.
 * A declined or voided contract can be sent again.
 */
export async function sendContract(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const { tenantId } = admin;
  const enrollmentId = ctx.params.id;
  const parsed = ContractBody.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) throw new ProblemError({ status: 400, title: "Invalid contract request", errors: fieldErrors(parsed.error) });

  // Cheap refusals first, before any DocuSign call.
  const enrollment = await findContractEnrollment(ctx.db, tenantId, enrollmentId);
  if (!enrollment) throw enrollmentNotFound();
  const signer = signerOf(enrollment, ctx.now());
  const { client, settings } = await openTenantDocuSign(ctx, tenantId, { requireEnabled: true });
  const templateId = parsed.data.templateId ?? settings.templateId;
  if (!templateId) throw new DocuSignSetupError("ERR_DOCUSIGN_NO_TEMPLATE", "this school has no contract template configured (settings.templateId)");
  // Token and account before the mark: DocuSign unreachable or consent missing leaves the enrollment as it was.
  await client.account();
  // Embedded signing: the enrollment's id names its signer to DocuSign (stable, ≤ 100 characters).
  const clientUserId = settings.embeddedSigning ? enrollment.id : null;

  const abandoned = enrollment.signatureStatus === "sending" && enrollment.sendingAt;
  const mark = abandoned
    ? await claimAbandonedSending(ctx.db, tenantId, enrollment.id, ctx.now(), enrollment.sendingAt!, clientUserId)
    : await markSending(ctx.db, tenantId, enrollment.id, ctx.now(), enrollment.signatureStatus, clientUserId);
  if (!mark) throw changedMeanwhile();

  const done = (envelope: { envelopeId: string; status: SignatureStatus }, recovered: boolean) =>
    recordAndAnswer(ctx, admin, enrollment, mark, { ...envelope, templateId, recovered });

  if (abandoned) {
    const found = await findEnvelopeByEnrollment(client, { tenantId, enrollmentId: enrollment.id, fromDate: new Date(enrollment.sendingAt!.getTime() - LOOKUP_SLACK_MS) });
    if (found) {
      ctx.log.info("contract envelope found by custom field; not sent again", { enrollmentId: enrollment.id, envelopeId: found.envelopeId });
      return done({ envelopeId: found.envelopeId, status: statusOfFound(found.status) }, true);
    }
  }

  let envelopeId: string;
  try {
    ({ envelopeId } = await sendEnvelopeFromTemplate(client, {
      templateId, roleName: settings.signerRoleName ?? "signer", signer,
      customFields: { tenantId, enrollmentId: enrollment.id },
      textTabs: contractTextTabs(enrollment),
      ...(clientUserId ? { clientUserId } : {}),
    }));
  } catch (error) {
    if (outcomeUnknown(error)) {
      ctx.log.warn("contract envelope outcome unknown; enrollment left sending for a safe retry", { enrollmentId: enrollment.id });
      throw new ProblemError({
        status: 502, title: "DocuSign did not confirm the contract", code: "ERR_CONTRACT_OUTCOME_UNKNOWN",
        detail: "DocuSign did not answer whether the envelope was created; retry in a few minutes: the retry first looks for that envelope and never sends a second one",
      });
    }
    // DocuSign answered and created nothing: as if the send never started (a retry of a lost send goes back to none).
    await undoSending(ctx.db, tenantId, enrollment.id, mark, abandoned ? "none" : enrollment.signatureStatus);
    throw error;
  }
  return done({ envelopeId, status: "sent" }, false);
}

/** A found envelope's status as ours: DocuSign's own when we track it, else `sent` (Connect moves it on). */
function statusOfFound(status: string): SignatureStatus {
  return status in SIGNATURE_STATUS_RANK && status !== "none" && status !== "sending" ? (status as SignatureStatus) : "sent";
}

async function recordAndAnswer(
  ctx: Context, admin: Principal, enrollment: ContractEnrollment, mark: Date,
  envelope: { envelopeId: string; status: SignatureStatus; templateId: string; recovered: boolean },
): Promise<Response> {
  const { tenantId } = admin;
  await ctx.db.transaction(async (tx) => {
    const recorded = await recordContractSent(tx, tenantId, enrollment.id, mark, { ...envelope, sentAtMs: ctx.now() });
    await writeAudit(tx, {
      tenantId, actor: admin.userId, action: "enrollment.contract_sent", target: enrollment.id,
      details: {
        envelopeId: envelope.envelopeId, templateId: envelope.templateId, previousEnvelopeId: enrollment.envelopeId,
        ...(envelope.recovered ? { recovered: true } : {}), ...(recorded ? {} : { linkedByConnect: true }),
      },
    });
  });
  ctx.log.info("contract sent", { enrollmentId: enrollment.id, envelopeId: envelope.envelopeId, recovered: envelope.recovered });
  const current = await findContractEnrollment(ctx.db, tenantId, enrollment.id);
  return json({
    enrollmentId: enrollment.id,
    envelopeId: envelope.envelopeId,
    signatureStatus: current?.signatureStatus ?? envelope.status,
    signatureSentAt: current?.sentAt?.toISOString() ?? null,
    embeddedSigning: Boolean(current?.clientUserId),
    recovered: envelope.recovered,
  }, { status: envelope.recovered ? 200 : 201 });
}
