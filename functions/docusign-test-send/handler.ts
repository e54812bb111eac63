// docusign-test-send: POST /api/admin/integrations/docusign/test-send {templateId?, recipientEmail, recipientName, roleName?}
// An admin checks the school's DocuSign set-up end to end: an envelope from a template is sent to an address
// of the admin's choosing, and its envelopeId answered. Works as soon as credentials are saved (before the
// integration is enabled). The envelope is linked to no enrollment, so its Connect events are only stored.
import * as z from "zod";
import { writeAudit } from "../_shared/audit.ts";
import { adminHandler } from "../_shared/http/admin-handler.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { json, problem } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { sendEnvelopeFromTemplate } from "../_shared/providers/docusign/envelopes.ts";
import { docusignErrorProblem } from "../_shared/providers/docusign/error-problem.ts";
import { openTenantDocuSign } from "../_shared/providers/docusign/tenant-docusign.ts";

// DocuSign's limits for a recipient: 100 characters for the email and for the name.
const TestSendBody = z.strictObject({
  templateId: z.string().trim().min(1).max(100).optional(),
  recipientEmail: z.email("must be an email address").max(100),
  recipientName: z.string().trim().min(1, "must not be empty").max(100),
  roleName: z.string().trim().min(1).max(100).optional(),
});

export const handler = adminHandler("docusign-test-send", async (req, ctx, admin) => {
  if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
  const parsed = TestSendBody.safeParse((await readJsonBody(req)) ?? {});
  if (!parsed.success) return validationProblem("Invalid test send", fieldErrors(parsed.error));

  const { client, settings } = await openTenantDocuSign(ctx, admin.tenantId, { requireEnabled: false });
  const templateId = parsed.data.templateId ?? settings.templateId;
  if (!templateId) return validationProblem("Invalid test send", { templateId: ["required: this school has no DocuSign template configured"] });

  const envelope = await sendEnvelopeFromTemplate(client, {
    templateId,
    roleName: parsed.data.roleName ?? settings.signerRoleName ?? "signer",
    signer: { email: parsed.data.recipientEmail, name: parsed.data.recipientName },
    // The school's marker only: no enrollmentId, so its Connect events are stored and link to nothing.
    customFields: { tenantId: admin.tenantId },
  });
  await writeAudit(ctx.db, {
    tenantId: admin.tenantId, actor: admin.userId, action: "docusign.test_envelope_sent", target: envelope.envelopeId,
    details: { templateId },
  });
  ctx.log.info("docusign test envelope sent", { envelopeId: envelope.envelopeId });
  return json({ envelopeId: envelope.envelopeId, status: envelope.status }, { status: 201 });
}, { errorProblems: [docusignErrorProblem] });
