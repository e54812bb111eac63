import Stripe from "stripe";
import type { Context } from "../_shared/context.ts";
import { VaultError } from "../_shared/crypto/vault.ts";
import type { Job } from "../_shared/http/job-handler.ts";
import { loadIntegration } from "../_shared/integrations/store.ts";
import { createStripeClient } from "../_shared/providers/stripe/client.ts";
import { stripeErrorCode } from "../_shared/providers/stripe/errors.ts";
import { reconcileTenant } from "./reconcile-tenant.ts";
import { stripeEnabledTenants } from "./stripe-tenants.ts";

export interface ReconcileJobOptions {
  /** Undelivered events read per tenant and run; the rest waits for the next run. */
  maxEventsPerTenant: number;
  /** No new page is fetched after this long, well inside the function's timeout. */
  budgetMs: number;
}

export const DEFAULT_RECONCILE_OPTIONS: ReconcileJobOptions = { maxEventsPerTenant: 5_000, budgetMs: 240_000 };

/** A tenant that could not be reconciled this run, and why (a code, never a key or Stripe's message). */
export interface TenantFailure {
  tenantId: string;
  code: string;
}

export interface ReconcileSummary {
  [key: string]: unknown;
  tenants: number;
  listed: number;
  ingested: number;
  alreadyStored: number;
  failed: number;
  /** Tenants stopped at the event cap or the time budget. */
  incomplete: number;
  /** Tenants that could not be reconciled; the others were. */
  tenantsFailed: number;
  errors: TenantFailure[];
}

/** Why a tenant could not be reconciled, as a code: Stripe's error type and code, or ours. */
function failureCode(error: unknown): string | undefined {
  if (error instanceof Stripe.errors.StripeError) return stripeErrorCode(error);
  if (error instanceof VaultError) return error.code;
  return undefined;
}

/**
 * The Stripe reconciliation job: for each tenant with Stripe enabled, ingests the events Stripe lists as
 * undelivered (reconcileTenant). A tenant whose key Stripe refuses, or whose stored credentials cannot be
 * opened, is reported in the summary and logged by code; the other tenants are still reconciled. An
 * unreachable database stops the run.
 * @example export const handler = jobHandler("stripe-reconcile", createReconcileJob());
 */
export function createReconcileJob(overrides: Partial<ReconcileJobOptions> = {}): Job {
  const options = { ...DEFAULT_RECONCILE_OPTIONS, ...overrides };
  return async (ctx: Context): Promise<ReconcileSummary> => {
    const deadline = ctx.now() + options.budgetMs;
    const tenantIds = await stripeEnabledTenants(ctx.db);
    const summary: ReconcileSummary = {
      tenants: tenantIds.length, listed: 0, ingested: 0, alreadyStored: 0, failed: 0, incomplete: 0, tenantsFailed: 0, errors: [],
    };
    for (const tenantId of tenantIds) {
      try {
        const integration = await loadIntegration(ctx.db, ctx.vault, tenantId, "stripe");
        const secretKey = integration?.credentials.secretKey;
        if (!integration?.enabled || typeof secretKey !== "string" || !secretKey) {
          summary.errors.push({ tenantId, code: "missing_secret_key" });
          continue;
        }
        const stripe = createStripeClient(secretKey, { fetch: ctx.fetch, apiBase: ctx.config.providerBases.stripeApi });
        const result = await reconcileTenant(ctx, tenantId, stripe, { maxEvents: options.maxEventsPerTenant, deadline });
        summary.listed += result.listed;
        summary.ingested += result.ingested;
        summary.alreadyStored += result.alreadyStored;
        summary.failed += result.failed;
        if (result.incomplete) summary.incomplete++;
      } catch (error) {
        const code = failureCode(error);
        if (code === undefined) throw error; // The database or a bug: not this tenant's doing.
        summary.errors.push({ tenantId, code });
        ctx.log.warn("tenant not reconciled; the others continue", { tenantId, source: "stripe", code });
      }
      if (ctx.now() >= deadline) break;
    }
    summary.tenantsFailed = summary.errors.length;
    return summary;
  };
}
