// emails: POST /api/emails — the platform's own services (a Supabase service_role key) enqueue a tenant's
// welcome or password-reset email. Answers 202 once it is in the outbox; the email-sender job sends it.
// The same dedupeKey (or Idempotency-Key) again answers the first message and enqueues nothing.
import { requireServiceRole } from "../_shared/auth/service-role.ts";
import type { Handler } from "../_shared/context.ts";
import { problemForError } from "../_shared/http/error-problem.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { json, problem } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { enqueueMessage } from "./enqueue-message.ts";
import { enqueueRequestSchema } from "./request.ts";

export const handler: Handler = async (req, ctx) => {
  const log = ctx.log.child({ fn: "emails", requestId: ctx.requestId });
  try {
    await requireServiceRole(ctx.config, req);
    if (req.method !== "POST") return problem({ status: 405, title: "Method not allowed", headers: { allow: "POST" } });
    const parsed = enqueueRequestSchema.safeParse(await readJsonBody(req));
    if (!parsed.success) return validationProblem("Invalid email request", fieldErrors(parsed.error));
    const request = parsed.data;
    request.tenantId = request.tenantId.toLowerCase();

    const [tenant] = await ctx.db.query<{ sendgrid_enabled: boolean | null }>(
      `select i.is_enabled as sendgrid_enabled from tenants t
         left join integrations i on i.tenant_id = t.id and i.integration_key = 'sendgrid'
        where t.id = $1`,
      [request.tenantId],
    );
    if (!tenant) return problem({ status: 404, title: "Unknown tenant", code: "ERR_TENANT_NOT_FOUND" });
    // Refused now rather than queued to die: the caller learns the school cannot send email yet.
    if (!tenant.sendgrid_enabled) {
      return problem({ status: 409, title: "SendGrid is not set up", code: "ERR_SENDGRID_NOT_ENABLED", detail: "this school has not enabled its SendGrid integration" });
    }

    const idempotencyKey = req.headers.get("idempotency-key")?.trim().slice(0, 200);
    // No key at all: every request is its own email (a second password reset is a new email).
    const dedupeKey = request.dedupeKey ?? (idempotencyKey || crypto.randomUUID());
    const message = await enqueueMessage(ctx, request, dedupeKey);
    log.info(message.duplicate ? "email already enqueued" : "email enqueued", { tenantId: request.tenantId, messageId: message.id, kind: request.kind });
    return json(message, { status: message.duplicate ? 200 : 202 });
  } catch (error) {
    return problemForError(error, log);
  }
};
