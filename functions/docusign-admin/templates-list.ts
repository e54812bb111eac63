import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { openTenantDocuSign } from "../_shared/providers/docusign/tenant-docusign.ts";
import { listTemplates } from "../_shared/providers/docusign/templates.ts";

const TemplatesQuery = z.strictObject({
  startPosition: z.coerce.number().int().nonnegative().max(1_000_000).default(0),
  // DocuSign pages templates by up to 100.
  count: z.coerce.number().int().min(1).max(100).default(100),
});

/**
 * GET /api/admin/integrations/docusign/templates?startPosition=&count= — the account's templates by name,
 * each with its roles (the role the signer fills is `settings.signerRoleName`, "signer" by default), and
 * which one is configured. Works before the integration is enabled, to choose a template while setting up.
 */
export async function listTemplatesAnswer(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const query = TemplatesQuery.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!query.success) return validationProblem("Invalid query", fieldErrors(query.error));
  const { client, settings } = await openTenantDocuSign(ctx, admin.tenantId, { requireEnabled: false });
  const page = await listTemplates(client, query.data);
  return json({
    templates: page.templates,
    total: page.total,
    nextStartPosition: page.nextStartPosition,
    configuredTemplateId: settings.templateId ?? null,
    signerRoleName: settings.signerRoleName ?? "signer",
  });
}
