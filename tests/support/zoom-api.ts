// A stand-in for Zoom's OAuth and REST APIs at the HTTP layer (msw), shaped like Zoom documents them
// (developers.zoom.us: Server-to-Server OAuth, Meetings API, Users API): tokens are issued only to the apps
// a test registers and checked on every API call (401 code 124 for one Zoom no longer accepts), scopes are
// enforced (400 code 4711), meetings are kept so PATCH/DELETE/GET behave, and every request is recorded.
import { http, HttpResponse, type JsonBodyType } from "msw";
import { setupServer } from "msw/node";

export const ZOOM_OAUTH = "https://zoom.us";
/** The email of the app's own user (`me`), as GET /v2/users/me answers it. */
export const APP_USER_EMAIL = "classes@school.example";
export const ZOOM_API = "https://api.zoom.us";

export interface ZoomCall {
  method: string;
  /** Path without the host, e.g. `/v2/users/me/meetings`. */
  path: string;
  /** The query string as sent (`?type=zak`), or "". */
  query: string;
  headers: Headers;
  /** The JSON body (API) or the form (OAuth), as sent. */
  body: unknown;
}

export interface ZoomTestApp {
  accountId: string;
  clientId: string;
  clientSecret: string;
}

/** The scope each endpoint needs (Zoom's granular scope names). */
const SCOPES = {
  me: "user:read:user:admin",
  createMeeting: "meeting:write:meeting:admin",
  readMeeting: "meeting:read:meeting:admin",
  updateMeeting: "meeting:update:meeting:admin",
  deleteMeeting: "meeting:delete:meeting:admin",
  // GET /v2/users/{userId}/token (developers.zoom.us/docs/meeting-sdk/auth/zak).
  zak: "user:read:token:admin",
} as const;
export const ALL_ZOOM_SCOPES: readonly string[] = Object.values(SCOPES);

const rand = (n = 22) => crypto.randomUUID().replaceAll("-", "").slice(0, n);
const zoomTime = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

export type ZoomMeetingObject = Record<string, unknown> & { id: number; uuid: string; type: number; start_url: string; join_url: string };

/** A Zoom API error answer: `{code, message}` (API) or `{reason, error}` (OAuth), as Zoom sends them. */
function zoomError(status: number, body: JsonBodyType, headers: Record<string, string> = {}) {
  return HttpResponse.json(body, { status, headers: { "x-zm-trackingid": `v=2.0;clid=us05;rid=WEB_${rand(32)}`, ...headers } });
}

/**
 * A fake Zoom on `oauthBase`/`apiBase` (Zoom's hosts by default, or ZOOM_OAUTH_BASE/ZOOM_API_BASE). Call
 * `listen()` in `beforeAll`, `reset()` in `afterEach`; register each test's app with `addApp`.
 * @example const zoomApi = createZoomApi(); zoomApi.addApp(app); zoomApi.revokeTokens();
 */
export function createZoomApi(bases: { oauthBase?: string; apiBase?: string } = {}) {
  const oauthBase = bases.oauthBase ?? ZOOM_OAUTH;
  const apiBase = bases.apiBase ?? ZOOM_API;
  const calls: ZoomCall[] = [];
  const apps = new Map<string, ZoomTestApp & { scopes: readonly string[] }>();
  const tokens = new Map<string, { clientId: string; expiresAt: number; scopes: readonly string[] }>();
  const meetings = new Map<string, ZoomMeetingObject>();
  /** The account's users by email (lower case); `me` is the app's own user. */
  const users = new Set<string>([APP_USER_EMAIL]);
  /** ZAKs issued, by the email of the user they start meetings for. */
  const zaks = new Map<string, string>();
  let tokenLifetimeSeconds = 3600;

  async function record(request: Request): Promise<ZoomCall> {
    const url = new URL(request.url);
    const text = await request.text();
    let body: unknown = undefined;
    if (text) {
      const type = request.headers.get("content-type") ?? "";
      body = type.includes("x-www-form-urlencoded") ? Object.fromEntries(new URLSearchParams(text)) : JSON.parse(text);
    }
    const call = { method: request.method, path: url.pathname, query: url.search, headers: request.headers, body };
    calls.push(call);
    return call;
  }

  /** The token's grant, or the 401/4711 answer Zoom gives. */
  function authorize(call: ZoomCall, scope: string): Response | undefined {
    const token = /^Bearer (\S+)$/.exec(call.headers.get("authorization") ?? "")?.[1];
    const grant = token ? tokens.get(token) : undefined;
    if (!grant || grant.expiresAt <= Date.now()) return zoomError(401, { code: 124, message: "Invalid access token." });
    if (!grant.scopes.includes(scope)) return zoomError(400, { code: 4711, message: `Invalid access token, does not contain scopes:[${scope}].` });
    return undefined;
  }

  const meetingMissing = (id: string) => zoomError(404, { code: 3001, message: `Meeting does not exist: ${id}.` });
  /** A user id (`me`, or an email) as the account's user's email; undefined when it is no user of the account. */
  const userOf = (userId: string) => (userId === "me" ? APP_USER_EMAIL : users.has(userId.toLowerCase()) ? userId.toLowerCase() : undefined);
  // Zoom's answer for an unknown user id (developers.zoom.us/docs/api/errors: 404, code 1001).
  const userMissing = (userId: string) => zoomError(404, { code: 1001, message: `User does not exist: ${userId}.` });

  function createMeeting(body: Record<string, any>, hostEmail: string): ZoomMeetingObject {
    const id = 80_000_000_000 + Math.floor(Math.random() * 9_999_999_999);
    const password = rand(6);
    const type = Number(body.type ?? 2);
    const meeting: ZoomMeetingObject = {
      uuid: Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString("base64"),
      id,
      host_id: "z8yCxjabcdEFGHfgQuFKQ",
      host_email: hostEmail,
      topic: body.topic ?? "Zoom Meeting",
      type,
      status: "waiting",
      start_time: body.start_time ?? zoomTime(Date.now()),
      duration: body.duration ?? 60,
      timezone: body.timezone ?? "America/New_York",
      agenda: body.agenda ?? "",
      created_at: zoomTime(Date.now()),
      // The host's link: its zak is a host token (this is what must never be stored in clear).
      start_url: `https://us05web.zoom.us/s/${id}?zak=eyJ0eXAiOiJKV1QiLCJzdiI6IjAwMDAwMSIsInptX3NrbSI6InptX28ybSIsImFsZyI6IkhTMjU2In0.HOST${rand(32)}`,
      join_url: `https://us05web.zoom.us/j/${id}?pwd=${rand(32)}.1`,
      password,
      h323_password: "123456",
      pstn_password: "123456",
      encrypted_password: rand(32),
      settings: {
        host_video: false, participant_video: false, join_before_host: false, mute_upon_entry: false, watermark: false,
        use_pmi: false, approval_type: 2, audio: "voip", waiting_room: true, meeting_authentication: false,
        auto_recording: body.settings?.auto_recording ?? "none",
      },
      pre_schedule: false,
    };
    if (type === 8 && body.recurrence) {
      meeting.recurrence = body.recurrence;
      meeting.occurrences = [0, 1].map((n) => ({
        occurrence_id: String(Date.parse(String(meeting.start_time)) + n * 7 * 86_400_000),
        start_time: zoomTime(Date.parse(String(meeting.start_time)) + n * 7 * 86_400_000),
        duration: meeting.duration,
        status: "available",
      }));
    }
    meetings.set(String(id), meeting);
    return meeting;
  }

  const handlers = [
    http.post(`${oauthBase}/oauth/token`, async ({ request }) => {
      const call = await record(request);
      const form = (call.body ?? {}) as Record<string, string>;
      const basic = /^Basic (\S+)$/.exec(call.headers.get("authorization") ?? "")?.[1];
      const [clientId, clientSecret] = basic ? Buffer.from(basic, "base64").toString("utf8").split(":") : [];
      if (form.grant_type !== "account_credentials") return zoomError(400, { reason: "unsupported grant type", error: "unsupported_grant_type" });
      const app = clientId ? apps.get(clientId) : undefined;
      if (!app || app.clientSecret !== clientSecret) return zoomError(400, { reason: "Invalid client_id or client_secret", error: "invalid_client" });
      if (form.account_id !== app.accountId) return zoomError(400, { reason: "Invalid account_id", error: "invalid_request" });
      const token = `eyJzdiI6IjAwMDAwMiIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCJ9.${rand(40)}`;
      tokens.set(token, { clientId: app.clientId, expiresAt: Date.now() + tokenLifetimeSeconds * 1000, scopes: app.scopes });
      return HttpResponse.json({
        access_token: token, token_type: "bearer", expires_in: tokenLifetimeSeconds, scope: app.scopes.join(" "), api_url: "https://api.zoom.us",
      });
    }),
    http.get(`${apiBase}/v2/users/me`, async ({ request }) => {
      const call = await record(request);
      const refused = authorize(call, SCOPES.me);
      if (refused) return refused;
      return HttpResponse.json({
        id: "z8yCxjabcdEFGHfgQuFKQ", first_name: "Classes", last_name: "Account", display_name: "Classes Account",
        email: "classes@school.example", type: 2, role_name: "Owner", pmi: 3_542_471_135, use_pmi: false,
        timezone: "America/New_York", verified: 1, dept: "", created_at: "2025-01-15T10:00:00Z", pic_url: "",
        language: "en-US", phone_number: "", status: "active", role_id: "0", account_id: "AbCdEfGhIjKlMnOpQrStUv",
        account_number: 10_009_999, cluster: "us05",
      });
    }),
    // POST /v2/users/{userId}/meetings: `userId` is `me` or a user's email (URL-encoded).
    http.post(`${apiBase}/v2/users/:userId/meetings`, async ({ request, params }) => {
      const call = await record(request);
      const refused = authorize(call, SCOPES.createMeeting);
      if (refused) return refused;
      const userId = decodeURIComponent(String(params.userId));
      const host = userOf(userId);
      if (!host) return userMissing(userId);
      return HttpResponse.json(createMeeting(call.body as Record<string, unknown>, host), { status: 201 });
    }),
    // GET /v2/users/{userId}/token?type=zak → {token} (the host's ZAK, valid 2 h).
    http.get(`${apiBase}/v2/users/:userId/token`, async ({ request, params }) => {
      const call = await record(request);
      const refused = authorize(call, SCOPES.zak);
      if (refused) return refused;
      const userId = decodeURIComponent(String(params.userId));
      const host = userOf(userId);
      if (!host) return userMissing(userId);
      if (new URL(request.url).searchParams.get("type") !== "zak") return zoomError(400, { code: 300, message: "Invalid type." });
      const token = `eyJ0eXAiOiJKV1QiLCJzdiI6IjAwMDAwMSIsInptX3NrbSI6InptX28ybSIsImFsZyI6IkhTMjU2In0.ZAK${rand(32)}`;
      zaks.set(host, token);
      return HttpResponse.json({ token });
    }),
    http.get(`${apiBase}/v2/meetings/:id`, async ({ request, params }) => {
      const call = await record(request);
      const refused = authorize(call, SCOPES.readMeeting);
      if (refused) return refused;
      const meeting = meetings.get(String(params.id));
      return meeting ? HttpResponse.json(meeting) : meetingMissing(String(params.id));
    }),
    http.patch(`${apiBase}/v2/meetings/:id`, async ({ request, params }) => {
      const call = await record(request);
      const refused = authorize(call, SCOPES.updateMeeting);
      if (refused) return refused;
      const meeting = meetings.get(String(params.id));
      if (!meeting) return meetingMissing(String(params.id));
      const { settings, ...fields } = call.body as Record<string, any>;
      Object.assign(meeting, fields);
      if (settings) Object.assign(meeting.settings as object, settings);
      return new HttpResponse(null, { status: 204 });
    }),
    http.delete(`${apiBase}/v2/meetings/:id`, async ({ request, params }) => {
      const call = await record(request);
      const refused = authorize(call, SCOPES.deleteMeeting);
      if (refused) return refused;
      if (!meetings.delete(String(params.id))) return meetingMissing(String(params.id));
      return new HttpResponse(null, { status: 204 });
    }),
  ];
  const server = setupServer(...handlers);
  const urlOf = (path: string) => `${path.startsWith("/oauth") ? oauthBase : apiBase}${path}`;

  return {
    server,
    calls,
    /** The recorded calls to `path` (any method unless given). */
    callsTo: (path: string, method?: string) => calls.filter((c) => c.path === path && (!method || c.method === method)),
    /** Registers a Server-to-Server OAuth app (all scopes unless given) and returns it. */
    addApp: (app: ZoomTestApp, scopes: readonly string[] = ALL_ZOOM_SCOPES) => {
      apps.set(app.clientId, { ...app, scopes });
      return app;
    },
    /** Makes `email` a user of the account (a teacher), so meetings can be created under it. */
    addUser: (email: string) => {
      users.add(email.toLowerCase());
      return email;
    },
    /** The last ZAK issued for the user `email` (or `me`'s email). */
    zakOf: (email: string) => zaks.get(email.toLowerCase()),
    /** Every token issued so far stops working (as when another instance got a new one), answering 401 code 124. */
    revokeTokens: () => tokens.clear(),
    /** `expires_in` of the tokens issued from now on. */
    setTokenLifetime: (seconds: number) => {
      tokenLifetimeSeconds = seconds;
    },
    /** A meeting as Zoom holds it now (after PATCH), or undefined once deleted. */
    meeting: (id: number | string) => meetings.get(String(id)),
    /** Any other request fails the test, except to loopback (a test's own HTTP server). */
    listen: () => server.listen({
      onUnhandledRequest: (request, print) => {
        if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(request.url).hostname)) print.error();
      },
    }),
    close: () => server.close(),
    /** Forgets recorded calls and per-test overrides; apps, tokens and meetings are kept (tests use their own). */
    reset: () => {
      calls.length = 0;
      server.resetHandlers();
      tokenLifetimeSeconds = 3600;
    },
    /** Every `method path` request answers `status` with `body` until `reset` (recorded like any call). */
    fail: (method: "get" | "post" | "patch" | "delete", path: string, status: number, body: JsonBodyType, headers: Record<string, string> = {}) => {
      server.use(http[method](urlOf(path), async ({ request }) => {
        await record(request);
        return zoomError(status, body, headers);
      }));
    },
    /** Every `method path` request fails at the network level until `reset`. */
    disconnect: (method: "get" | "post" | "patch" | "delete", path: string) => {
      server.use(http[method](urlOf(path), async ({ request }) => {
        await record(request);
        return HttpResponse.error();
      }));
    },
  };
}

export type ZoomApi = ReturnType<typeof createZoomApi>;

/** A new app with unique credentials (register it with `zoomApi.addApp`). */
export function zoomTestApp(): ZoomTestApp {
  return {
    accountId: `acct_${rand(18)}`,
    clientId: `cid_${rand(20)}`,
    clientSecret: `csecret_${rand(32)}`,
  };
}
