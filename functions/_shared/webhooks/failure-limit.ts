import type { Context } from "../context.ts";
import { enforceRateLimit, webhookFailureRule } from "../http/rate-limit.ts";

/**
 * The per-client-IP webhook limit of DESIGN.md "Webhook semantics" rule 5: it counts only requests that fail
 * verification, so a delivery whose signature verifies is never refused for rate (and costs no counter query).
 * Both checks fail open (database down: the request is answered as it would be without a limit).
 */
export interface VerificationFailureLimit {
  /**
   * The 429 when this IP has no failure left in the current window, read without counting: a request that failed
   * on the cached secret is then refused before anything costly (no forced secret reload, no failure row).
   */
  exhausted(): Promise<Response | undefined>;
  /** Counts this failed request; the 429 when it went over the limit (then no failure row), else `undefined`. */
  count(): Promise<Response | undefined>;
}

/** @example const failures = verificationFailureLimit(ctx, "stripe-webhook"); */
export function verificationFailureLimit(ctx: Context, fn: string): VerificationFailureLimit {
  // Built on the first failure only: a delivery that verifies (nearly all of them) costs nothing here.
  const check = (options?: { peek: true }) =>
    enforceRateLimit({ ...ctx, log: ctx.log.child({ fn, requestId: ctx.requestId }) }, webhookFailureRule(ctx, fn), options);
  return {
    exhausted: () => check({ peek: true }),
    count: () => check(),
  };
}
