import Stripe from "stripe";
import type { Logger } from "../../http/logger.ts";
import { problem } from "../../http/responses.ts";

// Stripe's messages may quote a key, masked or not ("Invalid API Key provided: sk_test_****1234").
const KEY_LIKE = /\b(?:sk|rk|pk)_(?:test|live)_[\w*]+|\bwhsec_\S+/g;

/** Stripe's message with anything key-like removed, for the few errors whose message helps the caller. */
export function redactedMessage(message: string): string {
  return message.replace(KEY_LIKE, "[redacted]");
}

/** `stripe_rate_limit_error: rate_limit`: the SDK's error type in snake case, then Stripe's own code. */
export function stripeErrorCode(error: Stripe.errors.StripeError): string {
  const type = error.type.replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2").replace(/([a-z\d])([A-Z])/g, "$1_$2").toLowerCase();
  return error.code ? `${type}: ${error.code}` : type;
}

function retryAfter(error: Stripe.errors.StripeError): string {
  const header = error.headers?.["retry-after"];
  return header && /^\d{1,4}$/.test(header) ? header : "2";
}

/**
 * The answer when a Stripe call failed, naming Stripe's error code and never a key or a stack: Stripe
 * refusing the school's key or unreachable → 502, Stripe rate-limiting us → 503 with Retry-After, a
 * request Stripe refuses (a setting that does not fit, an idempotency key reused) → 409. Logged with
 * Stripe's type, code and request id only. `undefined` for errors that are not Stripe's.
 * @example adminHandler("admin-payments", handle, { errorProblems: [stripeErrorProblem] })
 */
export function stripeErrorProblem(error: unknown, log: Logger): Response | undefined {
  if (!(error instanceof Stripe.errors.StripeError)) return undefined;
  const code = stripeErrorCode(error);
  log.warn("stripe request failed", { code, stripeStatus: error.statusCode ?? null, stripeRequestId: error.requestId ?? null });

  if (error instanceof Stripe.errors.StripeAuthenticationError) {
    return problem({
      status: 502, title: "Stripe rejected the school's API key", code,
      detail: "the secret key in this school's Stripe integration is not accepted by Stripe; an admin must update it",
    });
  }
  if (error instanceof Stripe.errors.StripePermissionError) {
    return problem({ status: 502, title: "The school's Stripe key lacks a permission", code, detail: redactedMessage(error.message) });
  }
  if (error instanceof Stripe.errors.StripeRateLimitError) {
    return problem({
      status: 503, title: "Stripe is rate-limiting this school", code,
      detail: "try again in a moment", headers: { "retry-after": retryAfter(error) },
    });
  }
  if (error instanceof Stripe.errors.StripeConnectionError) {
    return problem({ status: 502, title: "Stripe could not be reached", code, detail: "the request to Stripe failed or timed out; try again" });
  }
  if (error instanceof Stripe.errors.StripeIdempotencyError) {
    return problem({
      status: 409, title: "Idempotency key reused", code,
      detail: "this idempotency key was already used with different parameters",
    });
  }
  if (error instanceof Stripe.errors.StripeInvalidRequestError || error instanceof Stripe.errors.StripeCardError) {
    return problem({ status: 409, title: "Stripe refused the request", code, detail: redactedMessage(error.message) });
  }
  return problem({ status: 502, title: "Stripe failed", code, detail: "Stripe answered with an error; try again later" });
}

/**
 * True when Stripe says a price in the request does not exist (in this account and mode): its
 * `resource_missing` names the parameter (`line_items[0][price]`).
 */
export function isMissingPrice(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeInvalidRequestError && error.code === "resource_missing" && /price/.test(error.param ?? "");
}
