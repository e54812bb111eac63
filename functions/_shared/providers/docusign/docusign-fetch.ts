import { DocuSignApiError } from "./errors.ts";

/**
 * Each DocuSign call may take this long. Several can happen in one request (token, userinfo, the call,
 * and once more after a renewed token), so it stays well inside the functions' timeout.
 */
export const DOCUSIGN_CALL_TIMEOUT_MS = 6_000;

/**
 * Creating an envelope may take this long: complex ones take 30–60 s (DocuSign blog "Managing long-running
 * createEnvelope calls"; the Node SDK waits 60 s). Safe because nothing is locked meanwhile and a lost
 * answer is recovered by the look-up by custom field (functions/docusign-admin/contract.ts). A function's
 * own limit may end it first (AWS: API Gateway's 29 s): the enrollment then stays `sending`, also safe.
 */
export const DOCUSIGN_CREATE_ENVELOPE_TIMEOUT_MS = 45_000;

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
export async function fetchDocuSign(
  fetchFn: typeof fetch, url: string, init: RequestInit, timeoutMs = DOCUSIGN_CALL_TIMEOUT_MS,
): Promise<DocuSignAnswer> {
  let response: Response;
  try {
    response = await fetchFn(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  } catch {
    throw connectionError();
  }
  return answerOf(response);
}

const connectionError = () => new DocuSignApiError("connection", "connection_error", null, "DocuSign could not be reached or did not answer in time");

/** A whole answer read: status, headers and its JSON body. */
async function answerOf(response: Response): Promise<DocuSignAnswer> {
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
 * A call whose 2xx body is streamed through (a PDF): the Response as soon as its headers arrive (within
 * the timeout; the body then flows at its own pace), or, for any other status, the whole error answer.
 * @example const result = await fetchDocuSignStream(ctx.fetch, url, { headers }); if ("stream" in result) return new Response(result.stream.body);
 */
export async function fetchDocuSignStream(
  fetchFn: typeof fetch, url: string, init: RequestInit, timeoutMs = DOCUSIGN_CALL_TIMEOUT_MS,
): Promise<{ stream: Response } | { answer: DocuSignAnswer }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let response: Response;
  try {
    response = await fetchFn(url, { ...init, signal: controller.signal });
  } catch {
    throw connectionError();
  } finally {
    clearTimeout(timer);
  }
  return response.ok ? { stream: response } : { answer: await answerOf(response) };
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
