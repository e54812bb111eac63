// A stand-in for SendGrid's v3 API at the HTTP layer (msw), answering as SendGrid documents:
// `POST /v3/mail/send` → 202 with `X-Message-Id` and no body (200 in sandbox mode), `GET /v3/scopes` →
// `{"scopes":[…]}`, errors as `{"errors":[{"message","field","help"}]}`. Every request is recorded.
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";

export const SENDGRID_GLOBAL = "https://api.sendgrid.com";
export const SENDGRID_EU = "https://api.eu.sendgrid.com";

export interface SendGridCall {
  method: string;
  /** The host the call went to (`https://api.sendgrid.com`, the EU host, a SENDGRID_API_BASE). */
  base: string;
  path: string;
  headers: Headers;
  body: Record<string, any> | undefined;
  /** The X-Message-Id answered, for mail sends that were accepted. */
  messageId?: string;
}

export interface SendGridErrorItem {
  message: string;
  field?: string | null;
  help?: string | null;
}

const rand = (n = 22) => crypto.randomUUID().replaceAll("-", "").slice(0, n);

/**
 * A fake SendGrid on `bases`. `listen()` in beforeAll (before building services, so their fetch is the
 * intercepted one), `reset()` in afterEach.
 * @example const sendgridApi = createSendGridApi(); sendgridApi.fail("post", "/v3/mail/send", 401, [{ message: "…" }]);
 */
export function createSendGridApi(bases: readonly string[] = [SENDGRID_GLOBAL, SENDGRID_EU]) {
  const calls: SendGridCall[] = [];
  let scopes = ["mail.send", "scopes.read", "templates.read"];

  async function record(request: Request, base: string): Promise<SendGridCall> {
    const text = await request.text();
    const call: SendGridCall = {
      method: request.method,
      base,
      path: new URL(request.url).pathname,
      headers: request.headers,
      body: text ? (JSON.parse(text) as Record<string, any>) : undefined,
    };
    calls.push(call);
    return call;
  }

  const handlers = bases.flatMap((base) => [
    http.post(`${base}/v3/mail/send`, async ({ request }) => {
      const call = await record(request, base);
      if (call.body?.mail_settings?.sandbox_mode?.enable) return new HttpResponse(null, { status: 200 });
      call.messageId = rand();
      return new HttpResponse(null, { status: 202, headers: { "x-message-id": call.messageId } });
    }),
    http.get(`${base}/v3/scopes`, async ({ request }) => {
      await record(request, base);
      return HttpResponse.json({ scopes });
    }),
  ]);
  const server = setupServer(...handlers);

  const on = (method: "get" | "post", path: string, answer: () => Response) => {
    for (const base of bases) {
      server.use(http[method](`${base}${path}`, async ({ request }) => {
        await record(request, base);
        return answer();
      }));
    }
  };

  return {
    server,
    calls,
    callsTo: (path: string) => calls.filter((c) => c.path === path),
    /** Any other request fails the test, except to loopback. */
    listen: () => server.listen({
      onUnhandledRequest: (request, print) => {
        if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(request.url).hostname)) print.error();
      },
    }),
    close: () => server.close(),
    reset: () => {
      calls.length = 0;
      scopes = ["mail.send", "scopes.read", "templates.read"];
      server.resetHandlers();
    },
    /** The scopes `GET /v3/scopes` answers. */
    setScopes: (granted: string[]) => {
      scopes = granted;
    },
    /** Every `method path` request answers this SendGrid error until `reset`. */
    fail: (method: "get" | "post", path: string, status: number, errors: SendGridErrorItem[], headers: Record<string, string> = {}) => {
      on(method, path, () => HttpResponse.json({ errors: errors.map((e) => ({ field: null, help: null, ...e })) }, { status, headers }));
    },
    /** Every `method path` request fails at the network level until `reset`. */
    disconnect: (method: "get" | "post", path: string) => on(method, path, () => HttpResponse.error()),
    /** The next `count` mail sends answer `status` with this error, then SendGrid accepts again. */
    failNext: (count: number, status: number, errors: SendGridErrorItem[]) => {
      let left = count;
      for (const base of bases) {
        server.use(http.post(`${base}/v3/mail/send`, async ({ request }) => {
          if (left <= 0) return undefined; // fall through to the accepting handler
          left--;
          await record(request, base);
          return HttpResponse.json({ errors: errors.map((e) => ({ field: null, help: null, ...e })) }, { status });
        }));
      }
    },
  };
}

export type SendGridApi = ReturnType<typeof createSendGridApi>;
