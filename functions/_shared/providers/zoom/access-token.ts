import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToBase64, bytesToHex, utf8Bytes } from "../../crypto/encoding.ts";
import { redactSecrets, ZoomApiError } from "./errors.ts";

/** A Server-to-Server OAuth app's credentials (Zoom App Marketplace → the app → App Credentials). */
export interface ZoomAppCredentials {
  accountId: string;
  clientId: string;
  clientSecret: string;
}

export interface ZoomAccessToken {
  value: string;
  /** Milliseconds since the epoch, on the caller's clock. */
  expiresAt: number;
}

export interface ZoomCallOptions {
  /** The runtime's fetch (`ctx.fetch`), so msw sees every call in tests. */
  fetch: typeof fetch;
  /** The caller's clock (`ctx.now`), in milliseconds. */
  now: () => number;
  /** `ZOOM_OAUTH_BASE`; Zoom's own host when absent. */
  oauthBase?: string | undefined;
}

export const ZOOM_OAUTH_BASE = "https://zoom.us";
/** A token is renewed once it has less than this left, so no call goes out with one about to expire. */
export const RENEW_BEFORE_EXPIRY_MS = 60_000;
/** Per Zoom request; a meetings function makes at most four (token, call, and both again after a 401). */
export const ZOOM_REQUEST_TIMEOUT_MS = 5_000;

/** Zoom's error bodies: `{error, reason}` from OAuth, `{code, message}` from the API. */
export function zoomErrorFields(body: unknown, status: number): { code: string; message: string } {
  const b = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  const code = b.error ?? b.code;
  const message = b.reason ?? b.message ?? b.error_description;
  return {
    code: typeof code === "string" || typeof code === "number" ? String(code) : `http_${status}`,
    message: typeof message === "string" && message ? message : `HTTP ${status}`,
  };
}

/** A fetch that failed before Zoom answered, as a ZoomApiError (timeout or connection). */
export function unreachable(stage: "oauth" | "api", error: unknown): ZoomApiError {
  const timedOut = (error as { name?: string } | null)?.name === "TimeoutError";
  return new ZoomApiError({
    status: 0, stage, code: timedOut ? "timeout" : "connection_error",
    zoomMessage: timedOut ? `Zoom did not answer within ${ZOOM_REQUEST_TIMEOUT_MS / 1000} s` : "Zoom could not be reached",
  });
}

/**
 * A new access token: `POST {ZOOM_OAUTH_BASE}/oauth/token` with Basic base64(clientId:clientSecret) and
 * `grant_type=account_credentials&account_id=…` (PROVIDERS.md). Throws ZoomApiError (stage `oauth`).
 * @example const token = await requestZoomAccessToken(credentials, { fetch: ctx.fetch, now: ctx.now });
 */
export async function requestZoomAccessToken(credentials: ZoomAppCredentials, options: ZoomCallOptions): Promise<ZoomAccessToken> {
  const secrets = [credentials.clientSecret, credentials.clientId, credentials.accountId];
  let res: Response;
  try {
    res = await options.fetch(`${options.oauthBase ?? ZOOM_OAUTH_BASE}/oauth/token`, {
      method: "POST",
      headers: {
        authorization: `Basic ${bytesToBase64(utf8Bytes(`${credentials.clientId}:${credentials.clientSecret}`))}`,
        "content-type": "application/x-www-form-urlencoded",
        accept: "application/json",
      },
      body: new URLSearchParams({ grant_type: "account_credentials", account_id: credentials.accountId }).toString(),
      signal: AbortSignal.timeout(ZOOM_REQUEST_TIMEOUT_MS),
    });
  } catch (error) {
    throw unreachable("oauth", error);
  }
  const body: unknown = await res.json().catch(() => undefined);
  const token = body as { access_token?: unknown; expires_in?: unknown } | undefined;
  if (res.ok && typeof token?.access_token === "string" && token.access_token && typeof token.expires_in === "number") {
    return { value: token.access_token, expiresAt: options.now() + token.expires_in * 1000 };
  }
  const { code, message } = res.ok ? { code: "invalid_response", message: "the token answer has no access_token" } : zoomErrorFields(body, res.status);
  throw new ZoomApiError({ status: res.status, stage: "oauth", code, zoomMessage: redactSecrets(message, secrets) });
}

/** The cache key of an app's tokens: per tenant and per credentials, so a saved change takes effect at once. */
export function zoomTokenKey(tenantId: string, credentials: ZoomAppCredentials): string {
  const fingerprint = bytesToHex(sha256(utf8Bytes(`${credentials.accountId}\u0000${credentials.clientId}\u0000${credentials.clientSecret}`)));
  return `${tenantId}:${fingerprint}`;
}

interface Entry {
  token?: ZoomAccessToken | undefined;
  pending?: Promise<ZoomAccessToken> | undefined;
}

const MAX_ENTRIES = 1_000;

/**
 * Access tokens kept in memory for the life of an instance, one per tenant (and credentials). A token is
 * reused until it has less than a minute left; one request at a time asks Zoom for a new one and the
 * others wait for it — Zoom may invalidate an app's earlier tokens each time a new one is issued, so a
 * burst of renewals would make the instance's own requests fail.
 */
export class ZoomTokenCache {
  readonly #entries = new Map<string, Entry>();

  /**
   * A token with at least a minute left: the cached one, or a new one from `issue`.
   * @example const token = await zoomAccessTokens.get(key, ctx.now, () => requestZoomAccessToken(creds, options));
   */
  get(key: string, now: () => number, issue: () => Promise<ZoomAccessToken>): Promise<ZoomAccessToken> {
    const entry = this.#entries.get(key);
    if (entry?.token && entry.token.expiresAt - RENEW_BEFORE_EXPIRY_MS > now()) return Promise.resolve(entry.token);
    return this.#issue(key, issue);
  }

  /**
   * After Zoom answered 401 to `rejected`: a new token — or the one another request already got in the
   * meantime, so a burst of 401s renews once.
   */
  renew(key: string, rejected: string, now: () => number, issue: () => Promise<ZoomAccessToken>): Promise<ZoomAccessToken> {
    const entry = this.#entries.get(key);
    if (entry?.token?.value === rejected) entry.token = undefined;
    return this.get(key, now, issue);
  }

  #issue(key: string, issue: () => Promise<ZoomAccessToken>): Promise<ZoomAccessToken> {
    let entry = this.#entries.get(key);
    if (entry?.pending) return entry.pending;
    if (!entry) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.delete(this.#entries.keys().next().value!);
      entry = {};
      this.#entries.set(key, entry);
    }
    const target = entry;
    const pending = issue()
      .then((token) => {
        target.token = token;
        return token;
      })
      .finally(() => {
        target.pending = undefined;
      });
    target.pending = pending;
    return pending;
  }
}

/** The instance-wide cache every Zoom client uses unless given another. */
export const zoomAccessTokens = new ZoomTokenCache();
