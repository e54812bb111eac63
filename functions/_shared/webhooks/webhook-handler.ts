import type { Context, Handler } from "../context.ts";
import { DbUnavailableError } from "../db/port.ts";
import { PayloadTooLargeError, readBodyWithLimit } from "../http/body-limit.ts";
import { json, problem } from "../http/responses.ts";
import { isUuid } from "../http/uuid.ts";
import type { IntegrationKey } from "../integrations/catalog.ts";
import { findSoleEnabledTenant, loadIntegration, type Integration } from "../integrations/store.ts";
import { WebhookVerificationError } from "../verify/errors.ts";
import type { EventGroups } from "./event-groups.ts";
import { recordAndApply, type EffectOf, type IncomingEvent } from "./record-event.ts";
import { verificationFailureLimit, type VerificationFailureLimit } from "./failure-limit.ts";
import { recordSignatureFailure } from "./signature-failures.ts";

/** What makes one provider's webhook function: how to verify its requests and how to apply its events. */
export interface WebhookSpec {
  /** Function slug, for logs. */
  fn: string;
  source: IntegrationKey;
  /** The secrets this tenant's requests are verified with; none means webhooks are not configured. */
  secretsOf(credentials: Record<string, unknown>): string[];
  /** Verifies the raw request and returns its events (one, or several for batching providers). */
  verify(input: { body: Uint8Array; headers: Headers; secrets: string[]; nowSeconds: number }): Promise<IncomingEvent[]>;
  /** What each event changes; built before storage, applied atomically with it. */
  effectOf: EffectOf;
  /**
   * A handshake answered instead of storing (Zoom's `endpoint.url_validation`): called once the request is
   * verified, with the secrets that verified it; a Response ends the request there, `undefined` goes on
   * to storage. Before the enabled check, so a paused integration still proves it holds the secret and the
   * provider keeps the endpoint (its events are still refused with 403).
   */
  respond?(events: IncomingEvent[], secrets: string[]): Response | undefined;
  /**
   * The 413's detail when a delivery is over 1 MiB, when this provider has a setting that causes it
   * (DocuSign Connect's "Include Documents"); default: the limit alone.
   */
  tooLargeDetail?: string;
}

const RETRY_AFTER_SECONDS = "30";

/** Without grouping (a Lambda instance serves one request at a time): each event in its own statement. */
const ONE_EVENT_PATH: EventGroups = { record: recordAndApply };

async function resolveTenantId(ctx: Context, source: IntegrationKey): Promise<string | undefined> {
  const fromPath = ctx.params.tenantId;
  if (fromPath !== undefined) return isUuid(fromPath) ? fromPath.toLowerCase() : undefined;
  return findSoleEnabledTenant(ctx.db, source);
}

/** The tenant's integration, from the instance cache; `fresh`: reloaded (the cache allows that once per 5 s). */
function loadTarget(ctx: Context, tenantId: string, source: IntegrationKey, fresh = false) {
  return ctx.integrationCache.get(tenantId, source, () => loadIntegration(ctx.db, ctx.vault, tenantId, source), { fresh });
}

/**
 * A webhook function following DESIGN.md "Webhook semantics": raw body (≤ 1 MiB), signature verified with
 * the tenant's secret (401 and a recorded failure otherwise), each event stored once and applied in the
 * same transaction, 2xx once stored, 503 when the database is unreachable so the provider retries. Only
 * requests that fail verification count against the per-client-IP limit (failure-limit.ts); over it they get
 * 429 after a check against the cached secret alone, while a request that verifies is processed as usual.
 * @example export const handler = createWebhookHandler({ fn: "stripe-webhook", source: "stripe", ... });
 */
export function createWebhookHandler(spec: WebhookSpec): Handler {
  return async (req, ctx) => {
    const log = ctx.log.child({ fn: spec.fn, source: spec.source, requestId: ctx.requestId });
    const failures = verificationFailureLimit(ctx, spec.fn);
    let tenantId: string | undefined;
    try {
      const body = await readBodyWithLimit(req);
      tenantId = await resolveTenantId(ctx, spec.source);
      let integration: Integration | undefined = tenantId ? await loadTarget(ctx, tenantId, spec.source) : undefined;
      if (!tenantId || !integration || spec.secretsOf(integration.credentials).length === 0) {
        // No secret here, so nothing can verify: counted like a failure (a scan of tenant ids costs lookups).
        return (await failures.count())
          ?? problem({ status: 404, title: "Unknown webhook endpoint", detail: `no ${spec.source} webhook is configured here` });
      }

      const nowSeconds = Math.floor(ctx.now() / 1000);
      const verify = (target: Integration) =>
        spec.verify({ body, headers: req.headers, secrets: spec.secretsOf(target.credentials), nowSeconds });
      let events: IncomingEvent[];
      try {
        events = await verify(integration);
      } catch (error) {
        // Other failures (no signature header, stale timestamp) go straight to errorResponse, which counts them.
        if (!(error instanceof WebhookVerificationError) || error.code !== "ERR_WEBHOOK_SIGNATURE") throw error;
        // An IP out of failures is refused on the cached secret alone: no reload, no failure row.
        const refused = await failures.exhausted();
        if (refused) return refused;
        // The cached secret may have just been rotated by an admin: check once more against the stored one.
        // Reloaded at most once per 5 s per tenant and source on this instance; within that, the cache answers
        // what the last reload read, so there is nothing new to verify against.
        const reloaded = await loadTarget(ctx, tenantId, spec.source, true);
        if (!reloaded || reloaded === integration) throw error;
        integration = reloaded;
        events = await verify(reloaded).catch((retryError: unknown) => {
          throw retryError instanceof WebhookVerificationError ? retryError : error;
        });
      }

      const handshake = spec.respond?.(events, spec.secretsOf(integration.credentials));
      if (handshake) {
        log.info("handshake answered", { tenantId, eventType: events[0]?.eventType });
        return handshake;
      }

      if (!integration.enabled) {
        return problem({ status: 403, title: "Integration disabled", detail: `${spec.source} is disabled for this tenant`, code: "ERR_INTEGRATION_DISABLED" });
      }

      let failed = 0;
      let duplicates = 0;
      for (const event of events) {
        const { outcome } = await (ctx.eventGroups ?? ONE_EVENT_PATH).record(ctx.db, tenantId, spec.source, event, spec.effectOf);
        if (outcome === "failed") failed++;
        if (outcome === "duplicate") duplicates++;
        const line = { tenantId, eventId: event.externalId, eventType: event.eventType, outcome };
        if (outcome === "failed") log.warn("event stored as failed; the retry job will re-apply it", line);
        else log.info("event stored", line);
      }
      return json({ received: events.length, duplicates, failed });
    } catch (error) {
      return errorResponse(error, { ctx, spec, log, tenantId, failures });
    }
  };
}

async function errorResponse(
  error: unknown,
  { ctx, spec, log, tenantId, failures }: {
    ctx: Context; spec: WebhookSpec; log: Context["log"]; tenantId: string | undefined; failures: VerificationFailureLimit;
  },
): Promise<Response> {
  if (error instanceof PayloadTooLargeError) {
    return problem({ status: 413, title: "Payload too large", detail: spec.tooLargeDetail ? `${error.message}: ${spec.tooLargeDetail}` : error.message });
  }
  if (error instanceof WebhookVerificationError) {
    if (error.code === "ERR_WEBHOOK_PAYLOAD") {
      return problem({ status: 400, title: "Malformed event", detail: error.message, code: error.code });
    }
    // The failure that goes over the limit is refused too, and not recorded.
    const refused = await failures.count();
    if (refused) return refused;
    log.warn("signature verification failed", { tenantId, code: error.code });
    if (tenantId) await recordSignatureFailure(ctx.db, log, { tenantId, source: spec.source, reason: error.code });
    return problem({ status: 401, title: "Signature verification failed", detail: error.message, code: error.code });
  }
  if (error instanceof DbUnavailableError) {
    log.error("database unavailable; asking the provider to retry", { code: "ERR_DB_UNAVAILABLE" });
    return problem({
      status: 503, title: "Temporarily unavailable", detail: "try again later", code: "ERR_DB_UNAVAILABLE",
      headers: { "retry-after": RETRY_AFTER_SECONDS },
    });
  }
  // Name and code only: messages of unexpected errors may quote data we must not log.
  const { name, code } = (error ?? {}) as { name?: string; code?: unknown };
  log.error("unexpected error", { tenantId, error: name ?? "unknown", code: typeof code === "string" ? code : undefined });
  return problem({ status: 500, title: "Internal error", detail: "the error was logged with this request's id" });
}
