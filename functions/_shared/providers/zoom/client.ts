import { redactSecrets, ZoomApiError } from "./errors.ts";
import {
  requestZoomAccessToken, unreachable, ZOOM_REQUEST_TIMEOUT_MS, zoomAccessTokens, zoomErrorFields, zoomTokenKey,
  type ZoomAppCredentials, type ZoomCallOptions, type ZoomTokenCache,
} from "./access-token.ts";

export const ZOOM_API_BASE = "https://api.zoom.us";

export interface ZoomClientOptions extends ZoomCallOptions {
  tenantId: string;
  credentials: ZoomAppCredentials;
  /** `ZOOM_API_BASE`; Zoom's own host when absent. */
  apiBase?: string | undefined;
  /** Where tokens are kept: the instance-wide cache unless given (the connection test brings its own). */
  tokens?: ZoomTokenCache;
}

export type ZoomMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** One tenant's Zoom REST API. */
export interface ZoomClient {
  /**
   * Calls `path` (`/v2/…`) and returns Zoom's JSON answer (`undefined` for 204 No Content). Throws
   * ZoomApiError for anything but a 2xx.
   */
  request<T = unknown>(method: ZoomMethod, path: string, body?: unknown): Promise<T | undefined>;
}

interface Answer {
  ok: boolean;
  status: number;
  body: unknown;
  retryAfter: string | undefined;
}

// Zoom answers 4711 ("Invalid access token, does not contain scopes") when the app lacks a scope: a new
// token would have the same scopes, so it is not renewed for.
const MISSING_SCOPE = "4711";

/**
 * A Zoom API client for one tenant's Server-to-Server OAuth app. The access token comes from the cache
 * (renewed a minute before it expires); a 401 — Zoom invalidates earlier tokens when another instance
 * asks for a new one — renews it once and retries once. Errors never carry the app's credentials.
 * @example
 * const zoom = createZoomClient({ tenantId, credentials, fetch: ctx.fetch, now: ctx.now,
 *   oauthBase: ctx.config.providerBases.zoomOauth, apiBase: ctx.config.providerBases.zoomApi });
 * const meeting = await zoom.request<ZoomMeeting>("POST", "/v2/users/me/meetings", { topic, type: 1 });
 */
export function createZoomClient(options: ZoomClientOptions): ZoomClient {
  const { credentials, fetch, now } = options;
  const tokens = options.tokens ?? zoomAccessTokens;
  const key = zoomTokenKey(options.tenantId, credentials);
  const issue = () => requestZoomAccessToken(credentials, options);
  const apiBase = options.apiBase ?? ZOOM_API_BASE;

  async function call(method: ZoomMethod, path: string, body: unknown, token: string): Promise<Answer> {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: "application/json" };
    if (body !== undefined) headers["content-type"] = "application/json";
    let res: Response;
    try {
      res = await fetch(`${apiBase}${path}`, {
        method, headers, signal: AbortSignal.timeout(ZOOM_REQUEST_TIMEOUT_MS),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    } catch (error) {
      throw unreachable("api", error);
    }
    const text = await res.text().catch(() => "");
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
      if (res.ok) throw new ZoomApiError({ status: res.status, stage: "api", code: "invalid_response", zoomMessage: "Zoom's answer is not JSON" });
    }
    return { ok: res.ok, status: res.status, body: parsed, retryAfter: res.headers.get("retry-after") ?? undefined };
  }

  return {
    async request<T>(method: ZoomMethod, path: string, body?: unknown): Promise<T | undefined> {
      let token = await tokens.get(key, now, issue);
      let answer = await call(method, path, body, token.value);
      if (answer.status === 401 && zoomErrorFields(answer.body, 401).code !== MISSING_SCOPE) {
        token = await tokens.renew(key, token.value, now, issue);
        answer = await call(method, path, body, token.value);
      }
      if (answer.ok) return answer.body as T | undefined;
      const { code, message } = zoomErrorFields(answer.body, answer.status);
      const secrets = [credentials.clientSecret, credentials.clientId, credentials.accountId, token.value];
      throw new ZoomApiError({
        status: answer.status, stage: "api", code, zoomMessage: redactSecrets(message, secrets), retryAfter: answer.retryAfter,
      });
    },
  };
}
