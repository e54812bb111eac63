import type { Logger } from "../../http/logger.ts";
import { problem } from "../../http/responses.ts";
import { DocuSignApiError, DocuSignConsentRequiredError, DocuSignSetupError } from "./errors.ts";

/** A problem response with extension members (RFC 9457 §3.2), for the consent URL. */
function problemWith(fields: { status: number; title: string; detail: string; code: string }, extensions: Record<string, string>): Response {
  return new Response(JSON.stringify({ type: "about:blank", ...fields, ...extensions }), {
    status: fields.status,
    headers: { "content-type": "application/problem+json; charset=utf-8" },
  });
}

/**
 * The answer when a DocuSign call failed, naming DocuSign's error code and never a credential, a token or a
 * stack: the school's set-up incomplete → 409; consent not granted → 502 with `consentUrl`; DocuSign
 * rate-limiting us → 503 with Retry-After; any other DocuSign error or DocuSign unreachable → 502. Logged
 * with the code and DocuSign's status only. `undefined` for errors that are not DocuSign's.
 * @example adminHandler("docusign-admin", handle, { errorProblems: [docusignErrorProblem] })
 */
export function docusignErrorProblem(error: unknown, log: Logger): Response | undefined {
  if (error instanceof DocuSignSetupError) {
    return problem({ status: 409, title: "DocuSign is not set up", code: error.code, detail: error.message });
  }
  if (!(error instanceof DocuSignApiError)) return undefined;
  const code = error.problemCode;
  log.warn("docusign request failed", { code, docusignStatus: error.httpStatus });

  if (error instanceof DocuSignConsentRequiredError) {
    return problemWith({
      status: 502, title: "DocuSign consent required", code,
      detail: "the DocuSign user has not granted this integration key consent yet: open consentUrl signed in as that user, accept, then try again",
    }, { consentUrl: error.consentUrl });
  }
  if (error.httpStatus === 429) {
    return problem({
      status: 503, title: "DocuSign is rate-limiting this school", code, detail: error.message,
      headers: { "retry-after": String(error.retryAfterSeconds ?? 60) },
    });
  }
  if (error.source === "connection") {
    return problem({ status: 502, title: "DocuSign could not be reached", code, detail: error.message });
  }
  return problem({ status: 502, title: `DocuSign refused the request (${error.errorCode})`, code, detail: error.message });
}
