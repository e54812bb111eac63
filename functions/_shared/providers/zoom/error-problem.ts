import type { Logger } from "../../http/logger.ts";
import { problem } from "../../http/responses.ts";
import { ZoomApiError } from "./errors.ts";

/**
 * The problem `code` for a failed Zoom call: the kind of failure, then Zoom's own code —
 * `zoom_oauth_error: invalid_client`, `zoom_api_error: 3001`, `zoom_rate_limit_error: 429`,
 * `zoom_connection_error: timeout`.
 */
export function zoomErrorCode(error: ZoomApiError): string {
  const kind = error.status === 0 ? "connection" : error.status === 429 ? "rate_limit" : error.stage === "oauth" ? "oauth" : "api";
  return `zoom_${kind}_error: ${error.code}`;
}

/**
 * The answer when a Zoom call failed, naming Zoom's code and message (credentials already removed by the
 * client) and never a key: Zoom refusing the school's app or the request, or unreachable → 502; Zoom
 * rate-limiting the school → 503 with Retry-After. Logged with the code and Zoom's status only.
 * `undefined` for errors that are not Zoom's.
 * @example adminHandler("zoom-meetings", handle, { errorProblems: [zoomErrorProblem] })
 */
export function zoomErrorProblem(error: unknown, log: Logger): Response | undefined {
  if (!(error instanceof ZoomApiError)) return undefined;
  const code = zoomErrorCode(error);
  log.warn("zoom request failed", { code, zoomStatus: error.status });
  const said = `${error.code}: ${error.zoomMessage}`;

  if (error.status === 429) {
    const retryAfter = error.retryAfter && /^\d{1,5}$/.test(error.retryAfter) ? error.retryAfter : "2";
    return problem({ status: 503, title: "Zoom is rate-limiting this school", code, detail: said, headers: { "retry-after": retryAfter } });
  }
  if (error.status === 0) return problem({ status: 502, title: "Zoom could not be reached", code, detail: error.zoomMessage });
  if (error.stage === "oauth") {
    return problem({
      status: 502, title: "Zoom rejected the school's app credentials", code,
      detail: `${said} (an admin must check the Server-to-Server OAuth app's account ID, client ID and client secret)`,
    });
  }
  return problem({ status: 502, title: "Zoom refused the request", code, detail: `Zoom answered ${error.status} ${said}` });
}
