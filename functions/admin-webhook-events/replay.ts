import * as z from "zod";
import { writeAudit } from "../_shared/audit.ts";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { readJsonBody } from "../_shared/http/json-body.ts";
import { json, problem } from "../_shared/http/responses.ts";
import { isUuid } from "../_shared/http/uuid.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { isIntegrationKey } from "../_shared/integrations/catalog.ts";
import { reapplyStoredEvent } from "../_shared/webhooks/reapply.ts";
import { WEBHOOK_EFFECTS } from "../webhook-effects.ts";
import { EVENT_COLUMNS, eventView, type EventRow } from "./event-view.ts";

/** Optional body: why the admin replays it, kept in the audit log. */
const ReplayBody = z.strictObject({ reason: z.string().trim().max(500, "must be at most 500 characters").optional() });

const notFound = () => problem({ status: 404, title: "Event not found" });

const loadEvent = async (ctx: Context, tenantId: string, id: string) =>
  (await ctx.db.query<EventRow>(`select ${EVENT_COLUMNS}, e.payload from webhook_events e where e.tenant_id = $1 and e.id = $2`, [tenantId, id]))[0];

/**
 * POST /api/admin/webhook-events/{id}/replay — applies a stored event again through the same effects a
 * delivery uses (reapplyStoredEvent), marking it processed; safe on an event already applied, since effects
 * only move statuses forward. A failed or dead event that now applies becomes processed; one that fails
 * again keeps its status with the new error. Audited either way.
 */
export async function replayEvent(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const id = ctx.params.id;
  if (!isUuid(id)) return notFound();
  const body = ReplayBody.safeParse((await readJsonBody(req)) ?? {});
  if (!body.success) return validationProblem("Invalid replay request", fieldErrors(body.error));

  const event = await loadEvent(ctx, admin.tenantId, id.toLowerCase());
  if (!event) return notFound();
  const loadEffects = isIntegrationKey(event.source) ? WEBHOOK_EFFECTS[event.source] : undefined;
  if (!loadEffects) {
    return problem({
      status: 409, title: "Replay not available", code: "ERR_REPLAY_UNAVAILABLE",
      detail: `events from ${event.source} cannot be replayed yet`,
    });
  }

  const result = await reapplyStoredEvent(ctx.db, {
    id: event.id, tenantId: admin.tenantId, externalId: event.external_id, eventType: event.event_type, payload: event.payload,
  }, await loadEffects());
  if (result.outcome === "busy") {
    return problem({ status: 409, title: "Event busy", code: "ERR_EVENT_BUSY", detail: "the event is being re-applied right now; try again shortly" });
  }
  if (result.outcome === "failed") {
    await ctx.db.query("update webhook_events set attempts = attempts + 1, last_error = $2 where id = $1", [event.id, result.error]);
  }
  await writeAudit(ctx.db, {
    tenantId: admin.tenantId, actor: admin.userId, action: "webhook_event.replayed", target: event.id,
    details: {
      source: event.source, eventType: event.event_type, externalId: event.external_id, from: event.status, outcome: result.outcome,
      ...(body.data.reason ? { reason: body.data.reason } : {}),
    },
  });
  ctx.log.info("event replayed", { eventId: event.external_id, source: event.source, outcome: result.outcome });

  const { payload: _payload, ...after } = (await loadEvent(ctx, admin.tenantId, event.id))!;
  return json({ outcome: result.outcome, ...(result.outcome === "failed" ? { error: result.error } : {}), event: eventView(after as EventRow) });
}
