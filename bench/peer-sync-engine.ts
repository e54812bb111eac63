// The peer: @supabase/stripe-sync-engine's webhook processing (`processWebhook`: the Stripe SDK's
// verification, then an upsert of the object into its own `stripe` schema) on the same signed events and
// the same PostgreSQL, against our stripe-webhook handler, at the same concurrency. The engine keeps no
// event log and no idempotency keys; ours stores every event once and applies it in the same statement.
// `backfillRelatedEntities: false` and customer-less intents keep the engine from calling Stripe's API
// (there is no network here): both sides then do only local work.
import { createRequire } from "node:module";
import type { Services } from "../functions/_shared/context.ts";
import type { Db } from "../functions/_shared/db/port.ts";
import { createPostgresDb } from "../functions/_shared/db/postgres.ts";
import { ingestServices } from "./ingest.ts";
import { leastWork, measurePgWork, type PgWork } from "./pg-work.ts";
import { serverCpuReader } from "./server-cpu.ts";
import { handler } from "../functions/stripe-webhook/handler.ts";
import { contextFor } from "../tests/support/services.ts";
import { signedStripeRequest, stripeSignature } from "../tests/support/stripe.ts";
import { BENCH_DATABASE_URL } from "./database.ts";
import { inTurns, mergeRuns, runPool, throughputOf, type PoolRun, type Throughput } from "./pool.ts";
import type { BenchTenant } from "./tenants.ts";
import { paymentIntentEventBody, EVENT_TYPE_MIX } from "./payloads.ts";

// Its ESM build reads `__dirname` to find its migrations and fails silently (0.48.5); the CommonJS build works.
const require = createRequire(import.meta.url);
const { runMigrations, StripeSync } = require("@supabase/stripe-sync-engine") as typeof import("@supabase/stripe-sync-engine");
// The engine's driver (node-postgres, the same hoisted copy): every statement goes through Client#query.
const pgClient = (require("pg") as { Client: { prototype: { query: (...args: unknown[]) => unknown } } }).Client.prototype;

/** Errors only: the engine swallows a failed migration unless its logger reports it. */
const errorsOnlyLogger = { info() {}, warn() {}, debug() {}, trace() {}, error: (...args: unknown[]) => console.error("stripe-sync-engine:", ...args) } as never;

export interface PeerLevel {
  concurrency: number;
  events: number;
  /** Our handler as the dev server, a Deno isolate or a Node container run it: concurrent events grouped. */
  ours: Throughput;
  /** The same handler on the one-event path a Lambda instance takes (one statement per event). */
  oursOneEvent: Throughput;
  peer: Throughput;
  peerErrors: number;
  /** Node CPU (user + system, this process) per event, µs: the handler's or the engine's whole Node side. */
  oursCpuUs: number;
  oursOneEventCpuUs: number;
  peerCpuUs: number;
  /** PostgreSQL's CPU per event over the same run, µs (NaN when the server is not on this machine). */
  oursServerCpuUs: number;
  oursOneEventServerCpuUs: number;
  peerServerCpuUs: number;
}

export interface PeerReport {
  engine: string;
  /** Each level's events ran in this many rounds per side, the sides taking turns at going first. */
  rounds: number;
  levels: PeerLevel[];
  /** PostgreSQL work per event at concurrency WORK_CONCURRENCY, least of WORK_SAMPLES samples each. */
  work: { concurrency: number; events: number; samples: number; ours: PgWork; oursOneEvent: PgWork; peer: PgWork };
}

const WORK_CONCURRENCY = 8;
/**
 * Each level's events are run in rounds, the three sides taking turns at going first, and each side's rounds
 * summed: one long run per side in a fixed order let the side that ran first meet smaller tables and a cooler
 * machine, and single runs varied by ±0.1 in their ratio.
 */
const ROUNDS = 3;
const WORK_SAMPLES = 3;

/** `url` with an application_name, so the sample's own backends can be told apart in pg_stat_activity. */
function withApplicationName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set("application_name", name);
  return parsed.toString();
}

/** Counts statements sent through `db` (a transaction adds its BEGIN and COMMIT). */
function countingDb<T extends Db>(db: T): { db: T; count: () => number } {
  let n = 0;
  const wrap = <D extends Db>(inner: D): D => ({
    ...inner,
    query: (text: string, params?: readonly unknown[]) => (n++, inner.query(text, params)),
    transaction: <R>(work: (tx: Db) => Promise<R>) => (n += 2, inner.transaction((tx) => work(wrap(tx)))),
  });
  return { db: wrap(db), count: () => n };
}

/** Node CPU and PostgreSQL CPU, µs per call of `run`'s `count` calls. */
async function withCpu<T>(
  serverCpu: () => number, count: number, run: () => Promise<T>,
): Promise<{ result: T; cpuUs: number; serverCpuUs: number }> {
  const serverStart = serverCpu();
  const start = process.cpuUsage();
  const result = await run();
  const used = process.cpuUsage(start);
  return { result, cpuUs: (used.user + used.system) / count, serverCpuUs: (serverCpu() - serverStart) / count };
}

/** One side's rounds at one level: their runs merged, CPU averaged over all their events. */
class SideRuns {
  private readonly runs: { result: PoolRun<unknown>; cpuUs: number; serverCpuUs: number }[] = [];
  add(run: { result: PoolRun<unknown>; cpuUs: number; serverCpuUs: number }): void {
    this.runs.push(run);
  }
  total(): { throughput: Throughput; cpuUs: number; serverCpuUs: number } {
    const events = this.runs.reduce((n, run) => n + run.result.count, 0);
    const weighted = (pick: (run: SideRuns["runs"][number]) => number) =>
      this.runs.reduce((sum, run) => sum + pick(run) * run.result.count, 0) / events;
    return {
      throughput: throughputOf(mergeRuns(this.runs.map((run) => run.result))),
      cpuUs: weighted((run) => run.cpuUs), serverCpuUs: weighted((run) => run.serverCpuUs),
    };
  }
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
  /** Grouped (see ingestServices) and one-event-path services on the same database. */
  services: Services; oneEventServices: Services;
  tenant: BenchTenant; events: number; workEvents: number; levels: readonly number[]; progress: (line: string) => void;
}): Promise<PeerReport> {
  const { services, oneEventServices, tenant, events, workEvents, levels, progress } = options;
  await runMigrations({ databaseUrl: BENCH_DATABASE_URL, schema: SCHEMA, logger: errorsOnlyLogger });
  const engine = new StripeSync({
    schema: SCHEMA, stripeSecretKey: "sk_test_51PeerBenchKey000000000000000", stripeWebhookSecret: tenant.webhookSecret,
    backfillRelatedEntities: false, poolConfig: { connectionString: BENCH_DATABASE_URL, max: Math.max(...levels) }
  });
  const serverCpu = await serverCpuReader(services.db);
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const result: PeerLevel[] = [];
  try {
    // Warm every side (JIT, each pool's connections, their prepared statements and plans) at the highest
    // concurrency before anything is timed: a server pays that once per connection, not per request. Ours
    // grouped needs the most: each group shape is planned once per connection.
    const top = Math.max(...levels);
    const warm = (label: string, count: number) => Array.from({ length: count }, (_, i) => customerlessBody(tenant, runId, label, i));
    const warmPeer = warm("warmpeer", 256);
    await runPool(warmPeer.length, top, (i) => engine.processWebhook(warmPeer[i]!, stripeSignature(warmPeer[i]!, { secret: tenant.webhookSecret })));
    for (const [side, label, count] of [[services, "warmgrouped", 1_024], [oneEventServices, "warmone", 256]] as const) {
      const requests = warm(label, count).map((body) => signedStripeRequest(tenant.id, body, { secret: tenant.webhookSecret }));
      await runPool(requests.length, top, (i) => handler(requests[i]!, contextFor(side, { tenantId: tenant.id })));
    }
    for (const concurrency of levels) {
      progress(`peer: stripe-sync-engine vs ours at concurrency ${concurrency}, ${ROUNDS} rounds`);
      const sides = { peer: new SideRuns(), ours: new SideRuns(), oneEvent: new SideRuns() };
      let peerErrors = 0;
      const perRound = Math.ceil(events / ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        const label = `c${concurrency}r${round}`;
        const bodies = Array.from({ length: perRound }, (_, i) => customerlessBody(tenant, runId, label, i));
        const headers = bodies.map((body) => stripeSignature(body, { secret: tenant.webhookSecret }));
        const oursOn = (runServices: Services, requests: Request[]) => withCpu(serverCpu, perRound, () =>
          runPool(requests.length, concurrency, (i) => handler(requests[i]!, contextFor(runServices, { tenantId: tenant.id }))));
        // Grouped on the peer's very events; the one-event path on copies with ids of their own (the same ids
        // again would only be duplicates). Requests are built before any side is timed.
        const oursRequests = bodies.map((body, i) => signedStripeRequest(tenant.id, body, { header: headers[i]! }));
        const oneEventRequests = Array.from({ length: perRound }, (_, i) =>
          signedStripeRequest(tenant.id, customerlessBody(tenant, runId, `${label}one`, i), { secret: tenant.webhookSecret }));
        await inTurns(round, [
          async () => sides.peer.add(await withCpu(serverCpu, perRound, () =>
            runPool(bodies.length, concurrency, (i) => engine.processWebhook(bodies[i]!, headers[i]!).catch(() => void peerErrors++)))),
          async () => sides.ours.add(await oursOn(services, oursRequests)),
          async () => sides.oneEvent.add(await oursOn(oneEventServices, oneEventRequests)),
        ]);
      }
      const [ours, oneEvent, peer] = [sides.ours.total(), sides.oneEvent.total(), sides.peer.total()];
      result.push({
        concurrency, events: perRound * ROUNDS, ours: ours.throughput, oursOneEvent: oneEvent.throughput, peer: peer.throughput, peerErrors,
        oursCpuUs: ours.cpuUs, oursOneEventCpuUs: oneEvent.cpuUs, peerCpuUs: peer.cpuUs,
        oursServerCpuUs: ours.serverCpuUs, oursOneEventServerCpuUs: oneEvent.serverCpuUs, peerServerCpuUs: peer.serverCpuUs,
      });
    }
    progress(`peer: PostgreSQL work per event at concurrency ${WORK_CONCURRENCY}, ${WORK_SAMPLES} samples × ${workEvents} events each`);
    const ours: PgWork[] = [];
    const oursOneEvent: PgWork[] = [];
    const peer: PgWork[] = [];
    for (let sample = 0; sample < WORK_SAMPLES; sample++) {
      const label = `w${sample}`;
      const bodies = Array.from({ length: workEvents }, (_, i) => customerlessBody(tenant, runId, label, i));
      const headers = bodies.map((body) => stripeSignature(body, { secret: tenant.webhookSecret }));
      peer.push(await measurePgWork(services.db, workEvents, ["bench-pgwork-peer"], async () => {
        const sampleEngine = new StripeSync({
          schema: SCHEMA, stripeSecretKey: "sk_test_51PeerBenchKey000000000000000", stripeWebhookSecret: tenant.webhookSecret,
          backfillRelatedEntities: false,
          poolConfig: { connectionString: withApplicationName(BENCH_DATABASE_URL, "bench-pgwork-peer"), max: WORK_CONCURRENCY },
        });
        const original = pgClient.query;
        let statements = 0;
        pgClient.query = function (this: unknown, ...args: unknown[]) {
          statements++;
          return original.apply(this, args);
        };
        try {
          await runPool(bodies.length, WORK_CONCURRENCY, (i) => sampleEngine.processWebhook(bodies[i]!, headers[i]!));
        } finally {
          pgClient.query = original;
          await sampleEngine.close();
        }
        return statements;
      }));
      for (const grouped of [true, false]) {
        const oursBodies = Array.from({ length: workEvents }, (_, i) => customerlessBody(tenant, runId, `${label}${grouped ? "g" : "o"}`, i));
        const requests = oursBodies.map((body) => signedStripeRequest(tenant.id, body, { secret: tenant.webhookSecret }));
        (grouped ? ours : oursOneEvent).push(await measurePgWork(services.db, workEvents, ["bench-pgwork-ours"], async () => {
          const pool = createPostgresDb(withApplicationName(BENCH_DATABASE_URL, "bench-pgwork-ours"), { max: WORK_CONCURRENCY });
          const counted = countingDb(pool);
          const { services: sampleServices } = await ingestServices(counted.db, { grouped });
          try {
            await runPool(requests.length, WORK_CONCURRENCY, (i) => handler(requests[i]!, contextFor(sampleServices, { tenantId: tenant.id })));
          } finally {
            await pool.close();
          }
          return counted.count();
        }));
      }
    }
    return {
      engine: "@supabase/stripe-sync-engine 0.48.5 (processWebhook)", rounds: ROUNDS, levels: result,
      work: {
        concurrency: WORK_CONCURRENCY, events: workEvents, samples: WORK_SAMPLES,
        ours: leastWork(ours), oursOneEvent: leastWork(oursOneEvent), peer: leastWork(peer),
      },
    };
  } finally {
    await engine.close();
    await services.db.query(`drop schema if exists ${SCHEMA} cascade`);
  }
}
