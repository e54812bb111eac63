// The provider's side of the load run: every delivery POSTed over HTTP, C in flight, signed at send time,
// and retried with backoff on any non-2xx answer, a broken connection or no answer in time — as Stripe
// does — until it is answered 2xx. What was retried, and why, is counted.
import Stripe from "stripe";
import type { LoadEvent } from "./scenario.ts";

export interface Delivery {
  event: LoadEvent;
  secret: string;
}

export interface DeliveryFigures {
  /** Requests sent, retries included. */
  requests: number;
  /** 5xx answers (each retried). */
  serverErrors: number;
  /** Connections that failed without an answer (each retried). */
  networkErrors: number;
  /** Requests not answered within the provider's timeout (each retried); their event ids in `timedOutEventIds`. */
  timeouts: number;
  timedOutEventIds: string[];
  /** 429 answers (each retried): the per-IP limit, when the run leaves it on. */
  throttled: number;
  /** Any other non-2xx answer, by status (retried, as Stripe retries any non-2xx): never expected. */
  unexpected: Record<string, number>;
  /** Deliveries still not answered 2xx after every retry. */
  gaveUp: number;
  /** Event ids whose answer said `failed` (stored as failed: a second application later is then a retry, not a duplicate). */
  failedEventIds: Set<string>;
  /** Per request, in ms. */
  latenciesMs: number[];
  wallMs: number;
}

const MAX_ATTEMPTS = 8;
/** Stripe gives an endpoint a few seconds to answer; a request still open after this counts as failed and is retried. */
const REQUEST_TIMEOUT_MS = 10_000;
const stripe = new Stripe("sk_test_load", { httpClient: Stripe.createFetchHttpClient() });

/** Posts each delivery (in the given order, `concurrency` at a time) to `urlOf(event)`. */
export async function deliverAll(
  deliveries: readonly Delivery[], concurrency: number, urlOf: (event: LoadEvent) => string,
): Promise<DeliveryFigures> {
  const figures: DeliveryFigures = {
    requests: 0, serverErrors: 0, networkErrors: 0, timeouts: 0, timedOutEventIds: [], throttled: 0, unexpected: {}, gaveUp: 0, failedEventIds: new Set(), latenciesMs: [], wallMs: 0,
  };
  let next = 0;
  const deliverOne = async ({ event, secret }: Delivery) => {
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const header = stripe.webhooks.generateTestHeaderString({ payload: event.body, secret, timestamp: Math.floor(Date.now() / 1000) });
      const started = performance.now();
      figures.requests++;
      try {
        const response = await fetch(urlOf(event), {
          method: "POST",
          headers: { "content-type": "application/json; charset=utf-8", "stripe-signature": header },
          body: event.body,
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        });
        const text = await response.text();
        figures.latenciesMs.push(performance.now() - started);
        if (response.ok) {
          if ((JSON.parse(text) as { failed?: number }).failed) figures.failedEventIds.add(event.eventId);
          return;
        }
        if (response.status >= 500) figures.serverErrors++;
        else if (response.status === 429) figures.throttled++;
        else figures.unexpected[response.status] = (figures.unexpected[response.status] ?? 0) + 1;
      } catch (error) {
        figures.latenciesMs.push(performance.now() - started);
        if ((error as Error).name === "TimeoutError") {
          figures.timeouts++;
          figures.timedOutEventIds.push(event.eventId);
        } else figures.networkErrors++;
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 50 * 2 ** (attempt - 1))));
    }
    figures.gaveUp++;
  };
  const worker = async () => {
    for (let i = next++; i < deliveries.length; i = next++) await deliverOne(deliveries[i]!);
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, deliveries.length) }, worker));
  figures.wallMs = performance.now() - started;
  return figures;
}
