// The peer: @supabase/stripe-sync-engine's webhook processing (`processWebhook`: the Stripe SDK's
// verification, then an upsert of the object into its own `stripe` schema) on the same signed events and
// the same PostgreSQL, against our stripe-webhook handler, at the same concurrency. The engine keeps no
// event log and no idempotency keys; ours stores every event once and applies it in the same statement.
// `backfillRelatedEntities: false` and customer-less intents keep the engine from calling Stripe's API
// (there is no network here): both sides then do only local work.
import { createRequire } from "node:module";
import type { Services } from "../functions/_shared/context.ts";
import { handler } from "../functions/stripe-webhook/handler.ts";
import { contextFor } from "../tests/support/services.ts";
import { signedStripeRequest, stripeSignature } from "../tests/support/stripe.ts";
import { BENCH_DATABASE_URL } from "./database.ts";
import { runPool, throughputOf, type Throughput } from "./pool.ts";
import type { BenchTenant } from "./tenants.ts";
import { paymentIntentEventBody, EVENT_TYPE_MIX } from "./payloads.ts";

// Its ESM build reads `__dirname` to find its migrations and fails silently (0.48.5); the CommonJS build works.
const { runMigrations, StripeSync } = createRequire(import.meta.url)("@supabase/stripe-sync-engine") as typeof import("@supabase/stripe-sync-engine");

/** Errors only: the engine swallows a failed migration unless its logger reports it. */
const errorsOnlyLogger = { info() {}, warn() {}, debug() {}, trace() {}, error: (...args: unknown[]) => console.error("stripe-sync-engine:", ...args) } as never;

export interface PeerLevel {
  concurrency: number;
  events: number;
  ours: Throughput;
  peer: Throughput;
  peerErrors: number;
}

export interface PeerReport {
  engine: string;
  levels: PeerLevel[];
}

// Its migrations name the `stripe` schema in their SQL, whatever schema is configured.
const SCHEMA = "stripe";

function customerlessBody(tenant: BenchTenant, runId: string, label: string, i: number): string {
  const body = JSON.parse(paymentIntentEventBody({
    eventId: `evt_peer_${runId}_${label}_${i}`, type: EVENT_TYPE_MIX[i % EVENT_TYPE_MIX.length]!, intentId: `pi_peer_${runId}_${label}_${i}`,
    enrollmentId: tenant.enrollmentIds[i % tenant.enrollmentIds.length]!, tenantId: tenant.id, amount: 25_000 + (i % 7) * 500,
    created: Math.floor(Date.now() / 1000),
  })) as { data: { object: Record<string, unknown> } };
  body.data.object.customer = null; // a customer id would make the engine fetch the customer from Stripe
  return JSON.stringify(body);
}

export async function benchSyncEnginePeer(options: {
  services: Services; tenant: BenchTenant; events: number; levels: readonly number[]; progress: (line: string) => void;
}): Promise<PeerReport> {
  const { services, tenant, events, levels, progress } = options;
  await runMigrations({ databaseUrl: BENCH_DATABASE_URL, schema: SCHEMA, logger: errorsOnlyLogger });
  const engine = new StripeSync({
    schema: SCHEMA, stripeSecretKey: "sk_test_51PeerBenchKey000000000000000", stripeWebhookSecret: tenant.webhookSecret,
    backfillRelatedEntities: false, poolConfig: { connectionString: BENCH_DATABASE_URL, max: Math.max(...levels) }
  });
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const result: PeerLevel[] = [];
  try {
    // Warm both paths (JIT, pools, prepared statements) before anything is timed.
    const warm = Array.from({ length: 128 }, (_, i) => customerlessBody(tenant, runId, "warm", i));
    await runPool(warm.length, 8, (i) => engine.processWebhook(warm[i]!, stripeSignature(warm[i]!, { secret: tenant.webhookSecret })));
    for (const concurrency of levels) {
      progress(`peer: stripe-sync-engine vs ours at concurrency ${concurrency}`);
      const bodies = Array.from({ length: events }, (_, i) => customerlessBody(tenant, runId, `c${concurrency}`, i));
      const headers = bodies.map((body) => stripeSignature(body, { secret: tenant.webhookSecret }));
      let peerErrors = 0;
      const peerRun = await runPool(bodies.length, concurrency, (i) => engine.processWebhook(bodies[i]!, headers[i]!).catch(() => void peerErrors++));
      const requests = bodies.map((body, i) => signedStripeRequest(tenant.id, body, { header: headers[i]! }));
      const oursRun = await runPool(requests.length, concurrency, (i) => handler(requests[i]!, contextFor(services, { tenantId: tenant.id })));
      result.push({ concurrency, events, ours: throughputOf(oursRun), peer: throughputOf(peerRun), peerErrors });
    }
  } finally {
    await engine.close();
    await services.db.query(`drop schema if exists ${SCHEMA} cascade`);
  }
  return { engine: "@supabase/stripe-sync-engine 0.48.5 (processWebhook)", levels: result };
}
