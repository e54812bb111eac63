import type { Logger } from "../../http/logger.ts";
import { problem } from "../../http/responses.ts";
import { SendGridError } from "./errors.ts";
import { SendGridSetupError } from "./setup-error.ts";

/**
 * The answer when sending through SendGrid failed in a request (an admin's test email): the school's setup
 * → 409 naming the setting; SendGrid refusing the key or the sender → 502 with SendGrid's message; SendGrid
 * rate-limiting → 503 with Retry-After; a message SendGrid refuses → 409 with its message; SendGrid
 * unreachable → 502. Never the key. `undefined` for errors that are not SendGrid's.
 * @example adminHandler("admin-emails", handle, { errorProblems: [sendgridErrorProblem] })
 */
export function sendgridErrorProblem(error: unknown, log: Logger): Response | undefined {
  if (error instanceof SendGridSetupError) {
    return problem({ status: 409, title: "SendGrid is not set up for this", code: error.code, detail: error.message });
  }
  if (!(error instanceof SendGridError)) return undefined;
  log.warn("sendgrid request failed", { code: error.code, sendgridStatus: error.status });
  switch (error.code) {
    case "sendgrid_unauthorized":
      return problem({ status: 502, title: "SendGrid rejected the school's API key", code: error.code, detail: error.message });
    case "sendgrid_forbidden":
      return problem({ status: 502, title: "SendGrid refused the school's API key or sender", code: error.code, detail: error.message });
    case "sendgrid_rate_limited":
      return problem({
        status: 503, title: "SendGrid is rate-limiting this school", code: error.code, detail: error.message,
        headers: { "retry-after": String(error.retryAfterSeconds ?? 5) },
      });
    case "sendgrid_bad_request":
    case "sendgrid_payload_too_large":
      return problem({ status: 409, title: "SendGrid refused the email", code: error.code, detail: error.message });
    case "sendgrid_unreachable":
      return problem({ status: 502, title: "SendGrid could not be reached", code: error.code, detail: error.message });
    default:
      return problem({ status: 502, title: "SendGrid failed", code: error.code, detail: error.message });
  }
}
