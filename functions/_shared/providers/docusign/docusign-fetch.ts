import { DocuSignApiError } from "./errors.ts";

/**
 * Each DocuSign call may take this long. Several can happen in one request (token, userinfo, the call,
 * and once more after a renewed token), so it stays well inside the functions' timeout.
 */
export const DOCUSIGN_CALL_TIMEOUT_MS = 6_000;

/** A DocuSign answer: status, headers and the JSON body (`undefined` when empty or not JSON). */
export interface DocuSignAnswer {
  status: number;
  ok: boolean;
  headers: Headers;
  body: unknown;
}

/**
 * One HTTP call to DocuSign with a timeout. A network failure or timeout becomes a `DocuSignApiError`
 * (`connection_error`) naming no URL and no credential; any HTTP answer is returned for the caller to read.
 * Nothing is retried here: an envelope POST is not idempotent.
 * @example const answer = await fetchDocuSign(ctx.fetch, `${oauthBase}/oauth/userinfo`, { headers: { authorization } });
 */
export async function fetchDocuSign(fetchFn: typeof fetch, url: string, init: RequestInit): Promise<DocuSignAnswer> {
  let response: Response;
  try {
    response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(DOCUSIGN_CALL_TIMEOUT_MS) });
  } catch {
    throw new DocuSignApiError("connection", "connection_error", null, "DocuSign could not be reached or did not answer in time");
  }
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, ok: response.ok, headers: response.headers, body };
}

/**
 * Seconds to wait when DocuSign rate-limited us (429), from its Retry-After, else a minute; `undefined` otherwise.
 * @example retryAfterOf(429, new Headers({ "retry-after": "30" })) // 30
 */
export function retryAfterOf(status: number, headers: Headers): number | undefined {
  if (status !== 429) return undefined;
  const header = headers.get("retry-after");
  return header && /^\d{1,5}$/.test(header) ? Number(header) : 60;
}
