// Signed Stripe events through the real stripe-webhook handler into the real PostgreSQL, in-process (a
// Request straight into the handler, no HTTP), with production services: the default integration-cache TTL
// and a logger that formats every line as in production but counts instead of printing.
import { createServices, type Services } from "../functions/_shared/context.ts";
import type { Db } from "../functions/_shared/db/port.ts";
import { createLogger } from "../functions/_shared/http/logger.ts";
import { handler } from "../functions/stripe-webhook/handler.ts";
import { createEventGroups } from "../functions/_shared/webhooks/event-groups.ts";
import { contextFor, testConfig } from "../tests/support/services.ts";
import { signedStripeRequest } from "../tests/support/stripe.ts";
import { EVENT_TYPE_MIX, paymentIntentEventBody } from "./payloads.ts";
import { runPool, throughputOf, type Throughput } from "./pool.ts";
import type { BenchTenant } from "./tenants.ts";

export interface LogCounts {
  info: number;
  warn: number;
  error: number;
  /** The first warn/error line, verbatim (log lines never carry secrets or bodies). */
  firstProblem: string | undefined;
}

/**
 * Production services on `db`, except that log lines are counted rather than written to stdout. `grouped`
 * (default): as the dev server, a Deno isolate or a Node container serve — concurrent events share a statement
 * (event-groups.ts); `false`: the one-event path a Lambda instance takes.
 */
export async function ingestServices(db: Db, options: { grouped?: boolean } = {}): Promise<{ services: Services; logs: LogCounts }> {
  const logs: LogCounts = { info: 0, warn: 0, error: 0, firstProblem: undefined };
  const log = createLogger({}, (line) => {
    const level = line.startsWith('{"level":"info"') ? "info" : line.startsWith('{"level":"warn"') ? "warn" : "error";
    logs[level]++;
    if (level !== "info") logs.firstProblem ??= line;
  });
  const grouping = options.grouped === false ? {} : { eventGroups: createEventGroups() };
  return { services: createServices(await testConfig(), db, { log, ...grouping }), logs };
}

export interface IngestBatch {
  /** Every event id of the batch starts with this (`evt_bench_<run>_<label>_`). */
  eventIdPrefix: string;
  intentIdPrefix: string;
  events: { tenant: BenchTenant; body: string }[];
}

/** `count` distinct payment_intent.* events, spread round-robin over the tenants and their enrollments. */
export function ingestBatch(runId: string, label: string, tenants: readonly BenchTenant[], count: number): IngestBatch {
  const eventIdPrefix = `evt_bench_${runId}_${label}_`;
  const intentIdPrefix = `pi_bench_${runId}_${label}_`;
  const created = Math.floor(Date.now() / 1000);
  const events = Array.from({ length: count }, (_, i) => {
    const tenant = tenants[i % tenants.length]!;
    const body = paymentIntentEventBody({
      eventId: `${eventIdPrefix}${i}`, type: EVENT_TYPE_MIX[i % EVENT_TYPE_MIX.length]!, intentId: `${intentIdPrefix}${i}`,
      enrollmentId: tenant.enrollmentIds[Math.floor(i / tenants.length) % tenant.enrollmentIds.length]!,
      tenantId: tenant.id, amount: 25_000 + (i % 7) * 500, created,
    });
    return { tenant, body };
  });
  return { eventIdPrefix, intentIdPrefix, events };
}

export interface IngestFigures extends Throughput {
  /** 200 with `{ received: 1, duplicates: 0, failed: 0 }`. */
  stored: number;
  /** Anything else, by `status` or `status:duplicates/failed`. */
  unexpected: Record<string, number>;
}

/**
 * Posts every event of the batch at `concurrency`. Signing (Stripe's SDK) happens just before the run, so
 * the timestamps are fresh and signing is not timed; the latency is the handler call alone.
 */
export async function benchIngest(services: Services, batch: IngestBatch, concurrency: number): Promise<IngestFigures> {
  const requests = batch.events.map((e) => signedStripeRequest(e.tenant.id, e.body, { secret: e.tenant.webhookSecret }));
  const run = await runPool(requests.length, concurrency, (i) =>
    handler(requests[i]!, contextFor(services, { tenantId: batch.events[i]!.tenant.id })));

  let stored = 0;
  const unexpected: Record<string, number> = {};
  for (const response of run.results) {
    const body = (await response.json()) as { received?: number; duplicates?: number; failed?: number };
    if (response.status === 200 && body.received === 1 && body.duplicates === 0 && body.failed === 0) stored++;
    else {
      const key = response.status === 200 ? `200:dup${body.duplicates}/failed${body.failed}` : String(response.status);
      unexpected[key] = (unexpected[key] ?? 0) + 1;
    }
  }
  return { ...throughputOf(run), stored, unexpected };
}

export interface StoredCounts {
  webhookEvents: number;
  processed: number;
  payments: number;
}

/** What the database holds for the batch: its webhook_events rows (and how many processed) and payments. */
export async function storedCounts(db: Db, tenants: readonly BenchTenant[], batch: IngestBatch): Promise<StoredCounts> {
  const ids = tenants.map((t) => t.id).join(",");
  const [events] = await db.query<{ n: number; processed: number }>(
    `select count(*)::int as n, count(*) filter (where status = 'processed')::int as processed
       from webhook_events
      where tenant_id = any(string_to_array($1, ',')::uuid[]) and source = 'stripe' and starts_with(external_id, $2)`,
    [ids, batch.eventIdPrefix],
  );
  const [payments] = await db.query<{ n: number }>(
    `select count(*)::int as n from payments
      where tenant_id = any(string_to_array($1, ',')::uuid[]) and starts_with(stripe_payment_intent, $2)`,
    [ids, batch.intentIdPrefix],
  );
  return { webhookEvents: events!.n, processed: events!.processed, payments: payments!.n };
}
