import { SendGridError, sendgridErrorOf } from "./errors.ts";

/** A tenant's SendGrid account as outbound calls need it. The key stays in here; errors never carry it. */
export interface SendGridAccount {
  apiKey: string;
  /** `https://api.sendgrid.com`, the EU host, or `SENDGRID_API_BASE`. */
  apiBase: string;
  fetch: typeof fetch;
  /** Milliseconds since the epoch (for rate-limit resets). */
  now: () => number;
}

/** Well inside a job's or an admin request's time limit; SendGrid answers a send in well under a second. */
const TIMEOUT_MS = 10_000;

/**
 * One SendGrid v3 API call: `Authorization: Bearer <key>`, JSON both ways, a 10 s timeout. Answers the
 * 2xx response; throws SendGridError for anything else, or when SendGrid cannot be reached.
 * @example const res = await sendgridRequest(account, "GET", "/v3/scopes");
 */
export async function sendgridRequest(account: SendGridAccount, method: "GET" | "POST", path: string, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await account.fetch(`${account.apiBase}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${account.apiKey}`,
        accept: "application/json",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const timedOut = (error as { name?: string } | null)?.name === "TimeoutError";
    throw new SendGridError("sendgrid_unreachable", null, timedOut ? "SendGrid did not answer within 10 s" : "SendGrid could not be reached");
  }
  if (!res.ok) throw await sendgridErrorOf(res, Math.floor(account.now() / 1000));
  return res;
}
