import * as z from "zod";
import type { Principal } from "../_shared/auth/principal.ts";
import type { Context } from "../_shared/context.ts";
import { json } from "../_shared/http/responses.ts";
import { fieldErrors, validationProblem } from "../_shared/http/validation.ts";
import { INTEGRATION_KEYS, type IntegrationKey } from "../_shared/integrations/catalog.ts";
import { integrationStatus, type IntegrationHealth } from "./integration-status.ts";
import { openDisputes } from "./open-disputes.ts";
import { emailHealth } from "./email-health.ts";

const HOUR_MS = 3_600_000;

interface IntegrationRow { [c: string]: unknown; integration_key: string; is_enabled: boolean; last_test_at: Date | null; last_test_ok: boolean | null; last_test_error: string | null }
interface EventRow { [c: string]: unknown; source: string; events_24h: number; events_7d: number; failures_24h: number; failures_7d: number; failing: number; dead: number; last_event_at: Date | null; oldest_unprocessed_at: Date | null }
interface SignatureRow { [c: string]: unknown; source: string; failures_24h: number; failures_7d: number }

const iso = (date: Date | null | undefined) => date?.toISOString() ?? null;

/**
 * GET /api/admin/health — per integration of the caller's tenant: enabled, last connection test, last event,
 * events and processing failures over 24 h / 7 d, signature failures, events waiting for a retry,
 * dead-lettered events, and the oldest event not applied yet; and the payments with a dispute still open
 * (`payments.openDisputes`: count and amounts per currency); suppressions, suppressed messages and bounced
 * contract and payment emails (`email`, email-health.ts). Grouped queries, all on the tenant.
 */
export async function health(req: Request, ctx: Context, admin: Principal): Promise<Response> {
  const parsed = z.strictObject({}).safeParse(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.success) return validationProblem("Invalid query", fieldErrors(parsed.error));
  const now = ctx.now();
  const since24h = new Date(now - 24 * HOUR_MS);
  const since7d = new Date(now - 7 * 24 * HOUR_MS);
  const { tenantId } = admin;

  const [integrations, events, signatures, disputes, email] = await Promise.all([
    ctx.db.query<IntegrationRow>(
      "select integration_key, is_enabled, last_test_at, last_test_ok, last_test_error from integrations where tenant_id = $1", [tenantId]),
    // Counts over all time for the backlog (failing, dead, oldest unprocessed); windows by created_at.
    ctx.db.query<EventRow>(
      `select source,
              count(*) filter (where created_at >= $2)::int as events_24h,
              count(*) filter (where created_at >= $3)::int as events_7d,
              count(*) filter (where created_at >= $2 and status in ('failed', 'dead'))::int as failures_24h,
              count(*) filter (where created_at >= $3 and status in ('failed', 'dead'))::int as failures_7d,
              count(*) filter (where status = 'failed')::int as failing,
              count(*) filter (where status = 'dead')::int as dead,
              max(created_at) as last_event_at,
              min(created_at) filter (where status in ('received', 'failed')) as oldest_unprocessed_at
         from webhook_events where tenant_id = $1 group by source`,
      [tenantId, since24h, since7d]),
    ctx.db.query<SignatureRow>(
      `select source, count(*) filter (where created_at >= $2)::int as failures_24h, count(*)::int as failures_7d
         from webhook_signature_failures where tenant_id = $1 and created_at >= $3 group by source`,
      [tenantId, since24h, since7d]),
    openDisputes(ctx.db, tenantId),
    emailHealth(ctx.db, tenantId, since24h, since7d),
  ]);

  const bySource = <R extends { [c: string]: unknown }>(rows: R[], column: string) =>
    new Map(rows.map((row) => [row[column] as string, row]));
  const stored = bySource(integrations, "integration_key");
  const counted = bySource(events, "source");
  const rejected = bySource(signatures, "source");

  const view = (key: IntegrationKey): IntegrationHealth => {
    const integration = stored.get(key);
    const e = counted.get(key);
    const s = rejected.get(key);
    const item: Omit<IntegrationHealth, "status"> = {
      key,
      configured: integration !== undefined,
      enabled: integration?.is_enabled ?? false,
      lastTest: integration?.last_test_at
        ? { at: integration.last_test_at.toISOString(), ok: integration.last_test_ok === true, error: integration.last_test_error }
        : null,
      lastEventAt: iso(e?.last_event_at),
      events: { last24h: e?.events_24h ?? 0, last7d: e?.events_7d ?? 0 },
      processingFailures: { last24h: e?.failures_24h ?? 0, last7d: e?.failures_7d ?? 0 },
      signatureFailures: { last24h: s?.failures_24h ?? 0, last7d: s?.failures_7d ?? 0 },
      awaitingRetry: e?.failing ?? 0,
      deadLettered: e?.dead ?? 0,
      oldestUnprocessedAt: iso(e?.oldest_unprocessed_at),
    };
    return { ...item, status: integrationStatus(item) };
  };

  return json({
    generatedAt: new Date(now).toISOString(),
    integrations: INTEGRATION_KEYS.map(view),
    payments: { openDisputes: disputes },
    email,
  });
}
