// A stand-in for Stripe's API at the HTTP layer (msw), so the real SDK runs end to end in tests. Response
// bodies follow Stripe's documented objects (checkout.session, refund, billing_portal.session) and error
// shape (`{error: {type, code, message, param}}`). Like Stripe, a POST repeated with an Idempotency-Key it
// has seen gets the first answer back, and each request is recorded (form body decoded) for assertions.
import { http, HttpResponse, type JsonBodyType } from "msw";
import { setupServer } from "msw/node";

export const STRIPE_API = "https://api.stripe.com";

export interface StripeCall {
  method: string;
  /** Path without the host, e.g. `/v1/checkout/sessions`. */
  path: string;
  headers: Headers;
  /** The form-encoded body as Stripe reads it: `metadata[enrollment_id]` → value. */
  form: Record<string, string>;
  idempotencyKey: string | null;
}

/** An error body as Stripe sends it, for `fail`. */
export interface StripeErrorBody {
  type: string;
  code?: string;
  message: string;
  param?: string;
}

const rand = (n = 24) => crypto.randomUUID().replaceAll("-", "").slice(0, n);
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The `prefix[key]` entries of a form as an object (`metadata[enrollment_id]` → `{ enrollment_id }`). */
export function formObject(form: Record<string, string>, prefix: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(form)) {
    if (key.startsWith(`${prefix}[`) && key.endsWith("]") && !key.slice(prefix.length + 1, -1).includes("[")) {
      out[key.slice(prefix.length + 1, -1)] = value;
    }
  }
  return out;
}

function checkoutSession(form: Record<string, string>, status = "open") {
  const id = `cs_test_a1${rand(40)}`;
  const unitAmount = form["line_items[0][price_data][unit_amount]"];
  return {
    id,
    object: "checkout.session",
    amount_subtotal: unitAmount ? Number(unitAmount) : null,
    amount_total: unitAmount ? Number(unitAmount) : null,
    cancel_url: form.cancel_url ?? null,
    client_reference_id: form.client_reference_id ?? null,
    created: nowSeconds(),
    currency: form["line_items[0][price_data][currency]"] ?? null,
    customer: form.customer ?? null,
    customer_creation: form.customer_creation ?? null,
    expires_at: nowSeconds() + 24 * 3600,
    livemode: false,
    metadata: formObject(form, "metadata"),
    mode: form.mode,
    payment_intent: null,
    payment_status: "unpaid",
    status,
    subscription: null,
    success_url: form.success_url ?? null,
    url: `https://checkout.stripe.com/c/pay/${id}#fidkdWxOYHwnPyd1blpxYHZxWjA0`,
  };
}

function refund(form: Record<string, string>, currency: string, status: string) {
  return {
    id: `re_3${rand(30)}`,
    object: "refund",
    amount: Number(form.amount),
    balance_transaction: null,
    charge: `ch_3${rand(30)}`,
    created: nowSeconds(),
    currency,
    destination_details: { card: { type: "refund" }, type: "card" },
    metadata: formObject(form, "metadata"),
    payment_intent: form.payment_intent ?? null,
    reason: form.reason ?? null,
    receipt_number: null,
    source_transfer_reversal: null,
    status,
    transfer_reversal: null,
  };
}

function portalSession(form: Record<string, string>) {
  return {
    id: `bps_1${rand(24)}`,
    object: "billing_portal.session",
    configuration: `bpc_1${rand(24)}`,
    created: nowSeconds(),
    customer: form.customer,
    flow: null,
    livemode: false,
    locale: null,
    on_behalf_of: null,
    return_url: form.return_url ?? null,
    url: `https://billing.stripe.com/p/session/test_${rand(40)}`,
  };
}

/**
 * A fake Stripe API on `base` (Stripe's host by default, or a `STRIPE_API_BASE`). Call `listen()` in
 * `beforeAll` (before building services, so their fetch is the intercepted one), `reset()` in `afterEach`.
 * @example const stripeApi = createStripeApi(); stripeApi.fail("post", "/v1/refunds", 429, {...});
 */
export function createStripeApi(base = STRIPE_API) {
  const calls: StripeCall[] = [];
  const replies = new Map<string, { body: JsonBodyType; form: string }>();
  const sessions = new Map<string, ReturnType<typeof checkoutSession>>();
  let refundCurrency = "usd";
  let refundStatus = "pending";

  async function record(request: Request, params: Record<string, string | readonly string[] | undefined>) {
    const url = new URL(request.url);
    const form = Object.fromEntries(new URLSearchParams(request.method === "GET" ? url.search : await request.text()));
    const call: StripeCall = { method: request.method, path: url.pathname, headers: request.headers, form, idempotencyKey: request.headers.get("idempotency-key") };
    calls.push(call);
    return { call, id: typeof params.id === "string" ? params.id : "" };
  }

  /**
   * Stripe's idempotency (docs.stripe.com/api/idempotent_requests): the first answer to a key is the answer to
   * every repeat of it with the same parameters; a repeat with other parameters is an `idempotency_error`.
   */
  function once(call: StripeCall, make: () => JsonBodyType) {
    const key = call.idempotencyKey ? `${call.path}:${call.idempotencyKey}` : undefined;
    const sent = JSON.stringify(Object.entries(call.form).sort());
    if (key && replies.has(key)) {
      const first = replies.get(key)!;
      if (first.form !== sent) {
        return stripeError(400, {
          type: "idempotency_error",
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${call.idempotencyKey}' if you meant to execute a different request.`,
        });
      }
      return HttpResponse.json(first.body, { headers: { "idempotent-replayed": "true" } });
    }
    const body = make();
    if (key) replies.set(key, { body, form: sent });
    return HttpResponse.json(body);
  }

  const handlers = [
    http.post(`${base}/v1/checkout/sessions`, async ({ request, params }) => {
      const { call } = await record(request, params);
      return once(call, () => {
        const session = checkoutSession(call.form);
        sessions.set(session.id, session);
        return session;
      });
    }),
    http.post(`${base}/v1/checkout/sessions/:id/expire`, async ({ request, params }) => {
      const { call, id } = await record(request, params);
      const session = sessions.get(id);
      if (!session) return stripeError(404, { type: "invalid_request_error", code: "resource_missing", message: `No such checkout.session: '${id}'`, param: "session" });
      if (session.status !== "open") {
        return stripeError(400, { type: "invalid_request_error", message: `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${session.status}".` });
      }
      return once(call, () => Object.assign(session, { status: "expired" }));
    }),
    http.get(`${base}/v1/checkout/sessions/:id`, async ({ request, params }) => {
      const { id } = await record(request, params);
      const session = sessions.get(id);
      return session ? HttpResponse.json(session) : stripeError(404, { type: "invalid_request_error", code: "resource_missing", message: `No such checkout.session: '${id}'`, param: "session" });
    }),
    http.post(`${base}/v1/refunds`, async ({ request, params }) => {
      const { call } = await record(request, params);
      return once(call, () => refund(call.form, refundCurrency, refundStatus));
    }),
    http.post(`${base}/v1/billing_portal/sessions`, async ({ request, params }) => {
      const { call } = await record(request, params);
      return once(call, () => portalSession(call.form));
    }),
  ];
  const server = setupServer(...handlers);

  return {
    server,
    calls,
    /** The recorded calls to `path` (any method unless given). */
    callsTo: (path: string, method?: string) => calls.filter((c) => c.path === path && (!method || c.method === method)),
    /** Any other request fails the test, except to loopback (a test's own HTTP server). */
    listen: () => server.listen({
      onUnhandledRequest: (request, print) => {
        if (!["127.0.0.1", "localhost", "[::1]"].includes(new URL(request.url).hostname)) print.error();
      },
    }),
    close: () => server.close(),
    /** Forget recorded calls and per-test overrides (replayed idempotency keys are kept, as Stripe keeps them). */
    reset: () => {
      calls.length = 0;
      server.resetHandlers();
      refundCurrency = "usd";
      refundStatus = "pending";
    },
    /** A session created earlier, to change its status as Stripe would (a student paid: `complete`). */
    session: (id: string) => sessions.get(id),
    /** What new refunds answer: the charge's currency, and `pending` (card refunds often) or `succeeded` at once. */
    setRefund: (fields: { currency?: string; status?: string }) => {
      refundCurrency = fields.currency ?? refundCurrency;
      refundStatus = fields.status ?? refundStatus;
    },
    /** Every `method path` request answers this Stripe error until `reset` (recorded like any call). */
    fail: (method: "get" | "post", path: string, status: number, error: StripeErrorBody, headers: Record<string, string> = {}) => {
      server.use(http[method](`${base}${path}`, async ({ request, params }) => {
        await record(request, params);
        return stripeError(status, error, headers);
      }));
    },
    /** Every `method path` request fails at the network level (connection refused) until `reset`. */
    disconnect: (method: "get" | "post", path: string) => {
      server.use(http[method](`${base}${path}`, async ({ request, params }) => {
        await record(request, params);
        return HttpResponse.error();
      }));
    },
  };
}

export type StripeApi = ReturnType<typeof createStripeApi>;

function stripeError(status: number, error: StripeErrorBody, headers: Record<string, string> = {}) {
  const docUrl = error.code ? { doc_url: `https://stripe.com/docs/error-codes/${error.code.replaceAll("_", "-")}` } : {};
  return HttpResponse.json({ error: { ...error, ...docUrl } }, { status, headers: { "request-id": `req_${rand(14)}`, ...headers } });
}
