// A stand-in for DocuSign at the HTTP layer (msw), so the real client runs end to end in tests. Like DocuSign:
// the token endpoint verifies the RS256 assertion against the public key registered for the integration key
// (issuer, audience, signature, scope) and answers `consent_required` for a user who has not consented;
// userinfo and REST calls need a token it issued and has not expired; bodies and errors follow DocuSign's
// documented shapes (OAuth `{error, error_description}`, REST `{errorCode, message}`, counts as strings).
import type { KeyObject } from "node:crypto";
import { decodeJwt, jwtVerify } from "jose";
import { http, HttpResponse, type JsonBodyType } from "msw";
import { setupServer } from "msw/node";

export const DEMO_OAUTH = "https://account-d.docusign.com";
export const PRODUCTION_OAUTH = "https://account.docusign.com";
export const DEMO_BASE_URI = "https://demo.docusign.net";
export const ACCOUNT_ID = "f7b0e1c2-3d4e-4f50-8a61-72b3c4d5e6f7";

export interface DocuSignApp {
  integrationKey: string;
  /** The public half of the RSA key pair registered on the integration key. */
  publicKey: KeyObject;
  /** Users who granted this integration key consent (others get `consent_required`). */
  consentedUsers: string[];
}

export interface DocuSignCall {
  method: string;
  origin: string;
  /** Path without the host, e.g. `/restapi/v2.1/accounts/{id}/envelopes`. */
  path: string;
  search: URLSearchParams;
  headers: Headers;
  text: string;
}

export interface UserInfoAccount {
  account_id: string;
  is_default: boolean | string;
  account_name: string;
  base_uri: string;
}

export interface FakeTemplate {
  templateId: string;
  name: string;
  description?: string;
  /** Template roles as DocuSign lists them under `recipients`. */
  recipients: Record<string, { roleName: string; recipientId: string; routingOrder: string }[]>;
}

/** An envelope as the fake DocuSign keeps it: the POSTed body and what happened to it since. */
export interface FakeEnvelope {
  envelopeId: string;
  accountId: string;
  body: Record<string, any>;
  status: string;
  createdDateTime: string;
  voidedReason: string | null;
  resent: number;
}

/** A minimal valid PDF (what documents/combined answers), as bytes. */
export const FAKE_PDF = new TextEncoder().encode(
  "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n",
);

const rand = (n = 24) => crypto.randomUUID().replaceAll("-", "").slice(0, n);

/** The audience a token request at `base` must carry: DocuSign's own hosts check theirs; a stand-in takes either. */
function audiencesOf(base: string): string[] {
  if (base === DEMO_OAUTH) return ["account-d.docusign.com"];
  if (base === PRODUCTION_OAUTH) return ["account.docusign.com"];
  return ["account-d.docusign.com", "account.docusign.com"];
}

export function defaultTemplates(): FakeTemplate[] {
  return [
    {
      templateId: "4b9e2f10-8c3a-4d21-9e7f-0a1b2c3d4e5f", name: "Enrollment Contract 2026", description: "Annual enrollment agreement",
      recipients: { signers: [{ roleName: "signer", recipientId: "1", routingOrder: "1" }], carbonCopies: [{ roleName: "registrar", recipientId: "2", routingOrder: "2" }] },
    },
    {
      templateId: "9d8c7b6a-5e4f-4a3b-8c2d-1e0f9a8b7c6d", name: "Photo Consent",
      recipients: { signers: [{ roleName: "Parent", recipientId: "1", routingOrder: "1" }] },
    },
  ];
}

/**
 * A fake DocuSign on its demo hosts plus any `oauthBases`/`restBases` given (DOCUSIGN_OAUTH_BASE /
 * DOCUSIGN_API_BASE stand-ins). `listen()` in `beforeAll` before building services, `reset()` in `afterEach`.
 * @example const docusign = createDocuSignApi(); docusign.registerApp({ integrationKey, publicKey, consentedUsers: [userId] });
 */
export function createDocuSignApi(options: { oauthBases?: string[]; restBases?: string[] } = {}) {
  const oauthBases = [DEMO_OAUTH, PRODUCTION_OAUTH, ...(options.oauthBases ?? [])];
  const restBases = [DEMO_BASE_URI, ...(options.restBases ?? [])];
  const apps = new Map<string, DocuSignApp>();
  const tokens = new Map<string, { userId: string; valid: boolean }>();
  const calls: DocuSignCall[] = [];
  const envelopes: FakeEnvelope[] = [];
  /** Envelopes DocuSign creates while the caller never gets the answer (a timeout after DocuSign committed it). */
  let loseCreateAnswers = false;
  const defaults = () => ({
    accounts: [{ account_id: ACCOUNT_ID, is_default: true, account_name: "Springfield Academy", base_uri: DEMO_BASE_URI }] as UserInfoAccount[],
    templates: defaultTemplates(),
    tokenLifetime: 3600,
  });
  let state = defaults();

  async function record(request: Request): Promise<DocuSignCall> {
    const url = new URL(request.url);
    const call = { method: request.method, origin: url.origin, path: url.pathname, search: url.searchParams, headers: request.headers, text: await request.clone().text() };
    calls.push(call);
    return call;
  }

  const oauthError = (status: number, error: string, description?: string) =>
    HttpResponse.json(description ? { error, error_description: description } : { error }, { status });
  const restError = (status: number, errorCode: string, message: string) => HttpResponse.json({ errorCode, message }, { status });

  /** The user a bearer token was issued to, or `undefined` for a token we did not issue or that expired. */
  function bearerUser(request: Request): string | undefined {
    const token = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "")?.[1];
    const issued = token ? tokens.get(token) : undefined;
    return issued?.valid ? issued.userId : undefined;
  }

  async function issueToken(base: string, call: DocuSignCall) {
    const form = new URLSearchParams(call.text);
    if (form.get("grant_type") !== "urn:ietf:params:oauth:grant-type:jwt-bearer") return oauthError(400, "unsupported_grant_type");
    const assertion = form.get("assertion") ?? "";
    let issuer: string | undefined;
    try {
      issuer = decodeJwt(assertion).iss;
    } catch {
      return oauthError(400, "invalid_request");
    }
    const app = issuer ? apps.get(issuer) : undefined;
    if (!app) return oauthError(400, "invalid_grant", "issuer_not_found");
    let payload;
    try {
      ({ payload } = await jwtVerify(assertion, app.publicKey, { algorithms: ["RS256"], issuer: app.integrationKey, audience: audiencesOf(base) }));
    } catch {
      return oauthError(400, "invalid_grant", "no_valid_keys_or_signatures");
    }
    if (!String(payload.scope ?? "").split(" ").includes("impersonation")) return oauthError(400, "invalid_scope");
    if (!app.consentedUsers.includes(String(payload.sub))) return oauthError(400, "consent_required");
    const accessToken = `eyJ0eXAiOiJNVCIsImFsZyI6IlJTMjU2In0.${rand(40)}.${rand(40)}`;
    tokens.set(accessToken, { userId: String(payload.sub), valid: true });
    return HttpResponse.json({ access_token: accessToken, token_type: "Bearer", expires_in: state.tokenLifetime });
  }

  /** REST calls: a valid token, and an account of the user's. */
  function authorize(request: Request, accountId: string) {
    if (!bearerUser(request)) return restError(401, "AUTHORIZATION_INVALID_TOKEN", "The access token provided is expired, revoked or malformed.");
    if (!state.accounts.some((a) => a.account_id === accountId)) return restError(400, "USER_LACKS_MEMBERSHIP", "The UserID does not have a valid membership in this Account.");
    return undefined;
  }

  function listTemplates(search: URLSearchParams) {
    const start = Number(search.get("start_position") ?? 0);
    const count = Number(search.get("count") ?? 100);
    const include = (search.get("include") ?? "").split(",");
    const page = state.templates.slice(start, start + count);
    return {
      resultSetSize: String(page.length),
      startPosition: String(start),
      endPosition: String(start + Math.max(page.length - 1, 0)),
      totalSetSize: String(state.templates.length),
      envelopeTemplates: page.map((t) => ({
        templateId: t.templateId, name: t.name, description: t.description ?? "", shared: "false",
        created: "2025-01-15T10:00:00.0000000Z", lastModified: "2025-04-01T09:30:00.0000000Z",
        ...(include.includes("recipients") ? { recipients: { ...t.recipients, recipientCount: "1" } } : {}),
      })),
    };
  }

  function createEnvelope(accountId: string, body: Record<string, any>) {
    const template = state.templates.find((t) => t.templateId === body.templateId);
    if (!template) return restError(400, "TEMPLATE_ID_INVALID", "Invalid template ID.");
    const roles = Object.values(template.recipients).flat().map((r) => r.roleName);
    const filled = (body.templateRoles ?? []) as { email?: string; name?: string; roleName?: string }[];
    for (const role of filled) {
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(role.email ?? "")) return restError(400, "INVALID_EMAIL_ADDRESS_FOR_RECIPIENT", "The email address for the recipient is invalid. The recipient Id follows.");
    }
    if (!filled.some((r) => r.roleName && roles.includes(r.roleName))) {
      return restError(400, "ENVELOPE_IS_INCOMPLETE", "The Envelope is not Complete. A Complete Envelope Requires Documents, Recipients, Tabs, and a Subject Line.");
    }
    const envelopeId = crypto.randomUUID();
    envelopes.push({ envelopeId, accountId, body, status: body.status ?? "created", createdDateTime: new Date().toISOString(), voidedReason: null, resent: 0 });
    if (loseCreateAnswers) return HttpResponse.error();
    return HttpResponse.json(
      { envelopeId, uri: `/envelopes/${envelopeId}`, statusDateTime: new Date().toISOString().replace("Z", "0000Z"), status: body.status ?? "created" },
      { status: 201 },
    );
  }

  const envelopeOf = (accountId: string, envelopeId: string) =>
    envelopes.find((e) => e.accountId === accountId && e.envelopeId === envelopeId);
  const noEnvelope = () => restError(404, "ENVELOPE_DOES_NOT_EXIST", "The envelope specified either does not exist or you have no rights to it.");

  /**
   * Envelopes:listStatusChanges (developers.docusign.com/docs/esign-rest-api/reference/envelopes/envelopes/liststatuschanges/):
   * `from_date` required (without envelope or transaction ids); `custom_field=name=value` filters on a
   * custom field; `include=custom_fields` adds each envelope's `customFields`. Counts are strings.
   */
  function listStatusChanges(accountId: string, search: URLSearchParams) {
    const from = search.get("from_date");
    if (!from || Number.isNaN(Date.parse(from))) {
      return restError(400, "INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter. 'from_date', 'envelope_ids' or 'transaction_ids' must be specified.");
    }
    const [fieldName, ...rest] = (search.get("custom_field") ?? "").split("=");
    const fieldValue = rest.join("=");
    const include = (search.get("include") ?? "").split(",");
    const found = envelopes.filter((e) => e.accountId === accountId && Date.parse(e.createdDateTime) >= Date.parse(from) &&
      (!fieldName || (e.body.customFields?.textCustomFields ?? []).some((f: { name: string; value: string }) => f.name === fieldName && f.value === fieldValue)));
    return HttpResponse.json({
      resultSetSize: String(found.length), totalSetSize: String(found.length), startPosition: "0", endPosition: String(Math.max(found.length - 1, 0)),
      nextUri: "", previousUri: "",
      envelopes: found.map((e) => ({
        envelopeId: e.envelopeId, status: e.status, envelopeUri: `/envelopes/${e.envelopeId}`, createdDateTime: e.createdDateTime,
        sentDateTime: e.createdDateTime, statusChangedDateTime: e.createdDateTime,
        ...(include.includes("custom_fields") ? { customFields: { textCustomFields: (e.body.customFields?.textCustomFields ?? []).map((f: Record<string, string>) => ({ fieldId: "10", ...f })), listCustomFields: [] } } : {}),
      })),
    });
  }

  /** Envelopes:update — void (`status: "voided"` + `voidedReason`) or `?resend_envelope=true`. */
  function updateEnvelope(accountId: string, envelopeId: string, search: URLSearchParams, body: Record<string, any>) {
    const envelope = envelopeOf(accountId, envelopeId);
    if (!envelope) return noEnvelope();
    if (search.get("resend_envelope") === "true") {
      if (!["sent", "delivered"].includes(envelope.status)) return restError(400, "ENVELOPE_CANNOT_RESEND", "Envelope cannot be resent in its current state.");
      envelope.resent++;
    } else if (body.status === "voided") {
      if (!body.voidedReason) return restError(400, "ENVELOPE_VOID_REASON_REQUIRED", "A void reason is required to void an envelope.");
      if (!["sent", "delivered"].includes(envelope.status)) return restError(400, "ENVELOPE_CANNOT_VOID_INVALID_STATE", "Only envelopes in the 'Sent' or 'Delivered' states may be voided.");
      envelope.status = "voided";
      envelope.voidedReason = body.voidedReason;
    }
    return HttpResponse.json({ envelopeId });
  }

  /** A tiny but real PDF, streamed in two chunks as DocuSign's combined document would be. */
  function combinedPdf(accountId: string, envelopeId: string) {
    if (!envelopeOf(accountId, envelopeId)) return noEnvelope();
    const chunks = [FAKE_PDF.subarray(0, 20), FAKE_PDF.subarray(20)];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next) controller.enqueue(next);
        else controller.close();
      },
    });
    return new HttpResponse(stream, { status: 200, headers: { "content-type": "application/pdf", "content-disposition": "file; filename=\"combined.pdf\"" } });
  }

  /**
   * EnvelopeViews:createRecipient: the recipient must be the envelope's embedded signer (same email, name
   * and clientUserId), the envelope sent; answers `{url}` on DocuSign's signing host.
   */
  function recipientView(accountId: string, envelopeId: string, body: Record<string, any>) {
    const envelope = envelopeOf(accountId, envelopeId);
    if (!envelope) return noEnvelope();
    const role = (envelope.body.templateRoles ?? [])[0] ?? {};
    if (!role.clientUserId || role.clientUserId !== body.clientUserId || role.email !== body.email || role.name !== body.userName) {
      return restError(400, "UNKNOWN_ENVELOPE_RECIPIENT", "The recipient you have identified is not a valid recipient of the specified envelope.");
    }
    if (!body.returnUrl || !body.authenticationMethod) return restError(400, "INVALID_REQUEST_PARAMETER", "The request contained at least one invalid parameter.");
    if (!["sent", "delivered"].includes(envelope.status)) return restError(400, "ENVELOPE_INVALID_STATUS", "Invalid envelope status.");
    return HttpResponse.json({ url: `${DEMO_BASE_URI}/Signing/MTRedeem/v1/${rand(32)}?slt=${rand(40)}` }, { status: 201 });
  }

  const handlers = [
    ...oauthBases.flatMap((base) => [
      http.post(`${base}/oauth/token`, async ({ request }) => issueToken(base, await record(request))),
      http.get(`${base}/oauth/userinfo`, async ({ request }) => {
        await record(request);
        const userId = bearerUser(request);
        if (!userId) return oauthError(401, "invalid_token");
        return HttpResponse.json({
          sub: userId, name: "Pat Registrar", given_name: "Pat", family_name: "Registrar",
          created: "2024-09-01T12:00:00.000Z", email: "registrar@springfield.example", accounts: state.accounts,
        });
      }),
    ]),
    ...restBases.flatMap((base) => [
      http.get(`${base}/restapi/v2.1/accounts/:accountId/templates`, async ({ request, params }) => {
        const call = await record(request);
        return authorize(request, String(params.accountId)) ?? HttpResponse.json(listTemplates(call.search));
      }),
      http.post(`${base}/restapi/v2.1/accounts/:accountId/envelopes`, async ({ request, params }) => {
        const call = await record(request);
        return authorize(request, String(params.accountId)) ?? createEnvelope(String(params.accountId), JSON.parse(call.text) as Record<string, any>);
      }),
      http.get(`${base}/restapi/v2.1/accounts/:accountId/envelopes`, async ({ request, params }) => {
        const call = await record(request);
        return authorize(request, String(params.accountId)) ?? listStatusChanges(String(params.accountId), call.search);
      }),
      http.put(`${base}/restapi/v2.1/accounts/:accountId/envelopes/:envelopeId`, async ({ request, params }) => {
        const call = await record(request);
        return authorize(request, String(params.accountId))
          ?? updateEnvelope(String(params.accountId), String(params.envelopeId), call.search, call.text ? JSON.parse(call.text) as Record<string, any> : {});
      }),
      http.get(`${base}/restapi/v2.1/accounts/:accountId/envelopes/:envelopeId/documents/combined`, async ({ request, params }) => {
        await record(request);
        return authorize(request, String(params.accountId)) ?? combinedPdf(String(params.accountId), String(params.envelopeId));
      }),
      http.post(`${base}/restapi/v2.1/accounts/:accountId/envelopes/:envelopeId/views/recipient`, async ({ request, params }) => {
        const call = await record(request);
        return authorize(request, String(params.accountId)) ?? recipientView(String(params.accountId), String(params.envelopeId), JSON.parse(call.text) as Record<string, any>);
      }),
    ]),
  ];
  const server = setupServer(...handlers);

  /** Every base a path is served on: OAuth paths on the OAuth hosts, the rest under each REST base's account path. */
  const urlsFor = (path: string) =>
    path.startsWith("/oauth/") ? oauthBases.map((b) => `${b}${path}`) : restBases.map((b) => `${b}/restapi/v2.1/accounts/:accountId${path}`);

  return {
    server,
    calls,
    envelopes,
    /** Calls whose path ends with `suffix` (`/oauth/token`, `/envelopes`), of `method` if given. */
    callsTo: (suffix: string, method?: string) => calls.filter((c) => c.path.endsWith(suffix) && (!method || c.method === method)),
    /** Any other request fails the test, except to loopback (a test's own HTTP server). */
    listen: () => server.listen({
      onUnhandledRequest: (request, print) => {
        if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(request.url).hostname)) print.error();
      },
    }),
    close: () => server.close(),
    /** Forget calls, envelopes and per-test overrides; registered apps and issued tokens are kept, as DocuSign keeps them. */
    reset: () => {
      calls.length = 0;
      envelopes.length = 0;
      loseCreateAnswers = false;
      server.resetHandlers();
      state = defaults();
    },
    registerApp: (app: DocuSignApp) => apps.set(app.integrationKey, app),
    /** Every token issued so far stops working (expired or revoked before the client expected). */
    expireTokens: () => {
      for (const token of tokens.values()) token.valid = false;
    },
    setAccounts: (accounts: UserInfoAccount[]) => {
      state.accounts = accounts;
    },
    setTemplates: (templates: FakeTemplate[]) => {
      state.templates = templates;
    },
    /** Envelopes POSTed from now on are created, but the caller gets a network error instead of the answer. */
    loseCreateAnswers: (lose = true) => {
      loseCreateAnswers = lose;
    },
    setTokenLifetime: (seconds: number) => {
      state.tokenLifetime = seconds;
    },
    /** Every `method path` request answers this status and body until `reset` (recorded like any call). */
    fail: (method: "get" | "post" | "put", path: string, status: number, body: JsonBodyType, headers: Record<string, string> = {}) => {
      server.use(...urlsFor(path).map((url) => http[method](url, async ({ request }) => {
        await record(request);
        return HttpResponse.json(body, { status, headers });
      })));
    },
    /** Every `method path` request fails at the network level until `reset`. */
    disconnect: (method: "get" | "post" | "put", path: string) => {
      server.use(...urlsFor(path).map((url) => http[method](url, async ({ request }) => {
        await record(request);
        return HttpResponse.error();
      })));
    },
  };
}

export type DocuSignApi = ReturnType<typeof createDocuSignApi>;
