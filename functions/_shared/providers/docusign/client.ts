import { requestAccessToken } from "./access-token.ts";
import { fetchDocuSign, fetchDocuSignStream, retryAfterOf, type DocuSignAnswer } from "./docusign-fetch.ts";
import { DocuSignApiError } from "./errors.ts";
import { createExpiringCache, type ExpiringCache } from "./expiring-cache.ts";
import { OAUTH_HOSTS, oauthBaseOf, type DocuSignEnvironment } from "./oauth-host.ts";
import { chooseAccount, type DocuSignAccount } from "./userinfo.ts";

// Per instance (a Lambda container, a Supabase isolate), keyed by tenant + integration key + user +
// environment: one access token (renewed shortly before its hour is up) and one userinfo (DocuSign
// rate-limits it and asks clients to cache the base URI) per school's DocuSign user.
const sharedTokens = createExpiringCache<string>();
const sharedUserInfo = createExpiringCache<unknown>();
const USERINFO_TTL_MS = 60 * 60_000;

export interface DocuSignCredentials {
  integrationKey: string;
  userId: string;
  rsaPrivateKey: string;
  /** When given, calls go to this account (it must be one of the user's); else the user's default one. */
  accountId?: string | undefined;
}

export interface DocuSignClientOptions {
  tenantId: string;
  credentials: DocuSignCredentials;
  environment: DocuSignEnvironment;
  /** The runtime's fetch (`ctx.fetch`). */
  fetch: typeof fetch;
  /** The clock (`ctx.now`), in ms. */
  now: () => number;
  /** `DOCUSIGN_OAUTH_BASE`: the OAuth host instead of account(-d).docusign.com. */
  oauthBase?: string | undefined;
  /** `DOCUSIGN_API_BASE`: replaces the account's `base_uri` (REST calls go to `${apiBase}/restapi/v2.1/…`). */
  apiBase?: string | undefined;
  /** Where DocuSign sends the browser back after consent; named in the consent URL. */
  consentRedirectUri: string;
  /**
   * `false`: a fresh token and userinfo, shared with nobody (a connection test of credentials an admin may
   * have just changed must not be answered by a token of the previous ones). Default `true`.
   */
  cache?: boolean;
}

export interface DocuSignClient {
  /** The account calls go to and its host (token + userinfo, cached). */
  account(): Promise<DocuSignAccount>;
  /**
   * A REST call under `/v2.1/accounts/{accountId}`: the JSON answer of a 2xx, else `DocuSignApiError`
   * naming DocuSign's `errorCode`. A 401 (token expired or revoked early) is retried once with a new token.
   * @example const list = await client.call("GET", "/templates?include=recipients");
   */
  call(method: "GET" | "POST" | "PUT", path: string, body?: unknown, options?: { timeoutMs?: number }): Promise<unknown>;
  /**
   * A GET whose answer is streamed through, not buffered (a PDF): DocuSign's Response once its headers
   * arrive; an error answer throws `DocuSignApiError`, and a 401 is retried once with a new token, like `call`.
   * @example const pdf = await client.download(`/envelopes/${id}/documents/combined`);
   */
  download(path: string): Promise<Response>;
}

/** DocuSign refused the token: expired or revoked before the cache expected. */
const unauthorized = (answer: DocuSignAnswer) => answer.status === 401;

/** The error a failed DocuSign answer stands for: its `errorCode` (REST) or `error` (OAuth), and its message. */
function answerError(source: "oauth" | "api", answer: DocuSignAnswer): DocuSignApiError {
  const body = (answer.body ?? {}) as { errorCode?: unknown; message?: unknown; error?: unknown; error_description?: unknown };
  const code = typeof body.errorCode === "string" ? body.errorCode : typeof body.error === "string" ? body.error : `http_${answer.status}`;
  const message = typeof body.message === "string" ? body.message
    : typeof body.error_description === "string" ? body.error_description
    : `DocuSign answered HTTP ${answer.status}`;
  return new DocuSignApiError(source, code, answer.status, message, retryAfterOf(answer.status, answer.headers));
}

/**
 * A DocuSign eSignature client for one school: JWT grant as the school's DocuSign user, the account from
 * userinfo (the configured account id wins), REST calls with one retry on an expired token.
 * @example const client = createDocuSignClient({ tenantId, credentials, environment: "demo", fetch: ctx.fetch, now: ctx.now, consentRedirectUri });
 */
export function createDocuSignClient(options: DocuSignClientOptions): DocuSignClient {
  const { credentials } = options;
  const audience = OAUTH_HOSTS[options.environment];
  const oauthBase = oauthBaseOf(options.environment, options.oauthBase);
  const key = [options.tenantId, credentials.integrationKey, credentials.userId, audience].join("|");
  const shared = options.cache ?? true;
  const tokens: ExpiringCache<string> = shared ? sharedTokens : createExpiringCache();
  const userInfo: ExpiringCache<unknown> = shared ? sharedUserInfo : createExpiringCache();

  const token = () => tokens.get(key, options.now(), () => requestAccessToken({
    fetch: options.fetch, oauthBase, audience, nowMs: options.now(), consentRedirectUri: options.consentRedirectUri,
    integrationKey: credentials.integrationKey, userId: credentials.userId, rsaPrivateKey: credentials.rsaPrivateKey,
  }));

  /** `send` with the cached token; `rejected` says whether DocuSign refused that token (401). */
  async function withToken<T>(send: (accessToken: string) => Promise<T>, rejected: (result: T) => boolean): Promise<T> {
    const first = await token();
    const result = await send(first);
    if (!rejected(result)) return result;
    // Expired or revoked before we expected: one new token and one more try, never a loop.
    tokens.invalidate(key, first);
    return send(await token());
  }

  const bearer = (accessToken: string, json = false) => ({
    authorization: `Bearer ${accessToken}`,
    accept: "application/json",
    ...(json ? { "content-type": "application/json" } : {}),
  });

  async function loadUserInfo(): Promise<unknown> {
    const answer = await withToken((accessToken) => fetchDocuSign(options.fetch, `${oauthBase}/oauth/userinfo`, { headers: bearer(accessToken) }), unauthorized);
    if (!answer.ok) throw answerError("oauth", answer);
    return answer.body;
  }

  async function account(): Promise<DocuSignAccount> {
    const info = await userInfo.get(key, options.now(), async () => ({ value: await loadUserInfo(), renewAt: options.now() + USERINFO_TTL_MS }));
    const chosen = chooseAccount(info, credentials.accountId);
    return options.apiBase ? { ...chosen, baseUri: options.apiBase } : chosen;
  }

  const restUrl = async (path: string) => {
    const { accountId, baseUri } = await account();
    return `${baseUri}/restapi/v2.1/accounts/${encodeURIComponent(accountId)}${path}`;
  };

  return {
    account,
    async call(method, path, body, callOptions = {}) {
      const url = await restUrl(path);
      const answer = await withToken((accessToken) => fetchDocuSign(options.fetch, url, {
        method,
        headers: bearer(accessToken, body !== undefined),
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }, callOptions.timeoutMs), unauthorized);
      if (!answer.ok) throw answerError("api", answer);
      return answer.body;
    },
    async download(path) {
      const url = await restUrl(path);
      const result = await withToken(
        (accessToken) => fetchDocuSignStream(options.fetch, url, { headers: { authorization: `Bearer ${accessToken}`, accept: "application/pdf" } }),
        (sent) => "answer" in sent && unauthorized(sent.answer),
      );
      if ("answer" in result) throw answerError("api", result.answer);
      return result.stream;
    },
  };
}
