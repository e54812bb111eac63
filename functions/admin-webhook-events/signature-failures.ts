import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { INTEGRATION_KEYS } from "../_shared/integrations/catalog.ts";

const HOUR_MS = 3_600_000;
const RECENT = 20;

const Query = z.strictObject({ source: z.enum(INTEGRATION_KEYS, `must be one of ${INTEGRATION_KEYS.join(", ")}`).optional() });

interface CountRow {
  [column: string]: unknown;
  source: string;
  reason: string;
  last_24h: number;
  last_7d: number;
  last_at: Date;
}

/**
 * GET /api/admin/webhook-events/signature-failures — requests that failed verification over the last 24 h
 * and 7 d, per source and reason code (ERR_WEBHOOK_SIGNATURE, ERR_WEBHOOK_TIMESTAMP, …), and the latest few.
 * Only what was recorded: source, reason and time — never a body, a header or a secret.
 */
export async function listSignatureFailures(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = Query.safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationProblem("Invalid query", fieldErrors(parsed.error));
  const source = parsed.data.source ?? null;
  const now = ctx.now();
  const since24h = new Date(now - 24 * HOUR_MS);
  const since7d = new Date(now - 7 * 24 * HOUR_MS);

  const counts = await ctx.db.query<CountRow>(
    `select source, reason,
            count(*) filter (where created_at >= $3)::int as last_24h,
            count(*)::int as last_7d,
            max(created_at) as last_at
       from webhook_signature_failures
      where tenant_id = $1 and created_at >= $2 and ($4::text is null or source = $4)
      group by source, reason
      order by source, last_7d desc, reason`,
    [admin.tenantId, since7d, since24h, source],
  );
  const recent = await ctx.db.query<{ source: string; reason: string; created_at: Date }>(
    `select source, reason, created_at from webhook_signature_failures
      where tenant_id = $1 and ($2::text is null or source = $2)
      order by created_at desc, id desc limit ${RECENT}`,
    [admin.tenantId, source],
  );

  return json({
    since: { last24h: since24h.toISOString(), last7d: since7d.toISOString() },
    total: { last24h: counts.reduce((n, r) => n + r.last_24h, 0), last7d: counts.reduce((n, r) => n + r.last_7d, 0) },
    bySource: counts.map((r) => ({ source: r.source, reason: r.reason, last24h: r.last_24h, last7d: r.last_7d, lastAt: r.last_at.toISOString() })),
    recent: recent.map((r) => ({ source: r.source, reason: r.reason, at: r.created_at.toISOString() })),
  });
}
