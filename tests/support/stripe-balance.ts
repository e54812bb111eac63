// Stripe's GET /v1/balance at the HTTP layer (msw), for "Test Connection". Bodies follow Stripe's documented
// Balance object and error shape; a key is accepted when it is in `validKeys` (the Authorization header is
// `Bearer <secret key>`, as the SDK sends it), refused with Stripe's 401 otherwise, and a restricted key
// listed in `restrictedKeys` gets Stripe's 403 for a key without "Balance: read".
import { http, HttpResponse } from "msw";
import { STRIPE_API } from "./stripe-api.ts";

export interface BalanceCall {
  authorization: string | null;
}

const requestId = () => `req_${crypto.randomUUID().replaceAll("-", "").slice(0, 14)}`;
const masked = (key: string) => `${key.slice(0, 8)}${"*".repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;

export function balanceBody(livemode = false) {
  return {
    object: "balance",
    available: [
      { amount: 125_000, currency: "usd", source_types: { card: 125_000 } },
      { amount: 4_300, currency: "eur", source_types: { card: 4_300 } },
    ],
    connect_reserved: [{ amount: 0, currency: "usd" }],
    livemode,
    pending: [{ amount: 9_900, currency: "usd", source_types: { card: 9_900 } }],
  };
}

/**
 * msw handlers for `GET {base}/v1/balance`; `calls` records each request's Authorization header.
 * @example const balance = stripeBalanceApi({ validKeys: [key] }); server.use(...balance.handlers);
 */
export function stripeBalanceApi(options: { validKeys: () => readonly string[]; restrictedKeys?: () => readonly string[]; base?: string }) {
  const calls: BalanceCall[] = [];
  const handlers = [
    http.get(`${options.base ?? STRIPE_API}/v1/balance`, ({ request }) => {
      const authorization = request.headers.get("authorization");
      calls.push({ authorization });
      const key = authorization?.replace(/^Bearer /, "") ?? "";
      if (options.restrictedKeys?.().includes(key)) {
        return HttpResponse.json({
          error: {
            message: `The provided key '${masked(key)}' does not have the required permissions for this endpoint on account 'acct_1Example'. Having the 'rak_balance_read' permission would allow this request to continue.`,
            type: "invalid_request_error",
          },
        }, { status: 403, headers: { "request-id": requestId() } });
      }
      if (!options.validKeys().includes(key)) {
        return HttpResponse.json({
          error: { message: `Invalid API Key provided: ${masked(key)}`, type: "invalid_request_error" },
        }, { status: 401, headers: { "request-id": requestId(), "www-authenticate": 'Basic realm="Stripe"' } });
      }
      return HttpResponse.json(balanceBody(key.includes("_live_")), { headers: { "request-id": requestId() } });
    }),
  ];
  return { handlers, calls };
}
