// `npm run bench`: bundle sizes (the portable handler, every Lambda), the stripe-webhook Lambda's cold start,
// signature verification, then ingest into PostgreSQL; progress on stderr,
// one summary block on stdout at the end. BENCH_EVENTS sets the events per concurrency level (default 2,000).
// Quick mode (`npm run bench -- --quick`, or BENCH_QUICK=1): 400 events per level, fewer verification rounds
// and cold starts — a couple of minutes; same sections, noisier figures.
import { benchBundle } from "./bundle.ts";
import { benchColdStart } from "./cold-start.ts";
import { benchLambdaBundles } from "./lambda-bundles.ts";
import { runIngestSuite } from "./ingest-suite.ts";
import { machineInfo } from "./machine.ts";
import { summary } from "./report.ts";
import { benchVerify } from "./verify.ts";
import { writeFile } from "node:fs/promises";
import { NODE_POOL_MAX } from "../functions/runtimes/node/database.ts";
import { openBenchDatabase } from "./database.ts";
import { ingestServices } from "./ingest.ts";
import { benchSyncEnginePeer, type PeerReport } from "./peer-sync-engine.ts";
import { createBenchTenants, deleteBenchTenants } from "./tenants.ts";

const CONCURRENCY_LEVELS = [1, 8, 32] as const;

const quick = process.argv.includes("--quick") || ["1", "true"].includes(process.env.BENCH_QUICK ?? "");

function eventsPerLevel(): number {
  const raw = process.env.BENCH_EVENTS;
  const value = raw === undefined || raw === "" ? (quick ? 400 : 2_000) : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BENCH_EVENTS must be a positive integer, got "${raw}"`);
  return value;
}

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

const started = performance.now();
const events = eventsPerLevel();
const machine = machineInfo();

progress("bundle: esbuild functions/stripe-webhook/handler.ts");
const bundle = await benchBundle();

progress("lambda bundles: esbuild functions/<slug>/lambda.ts as the IaC does");
const lambdaBundles = await benchLambdaBundles();

progress("cold start: fresh node process → stripe-webhook Lambda bundle → first response");
const coldStart = await benchColdStart({ runs: quick ? 3 : 7 });

progress("verify: verifyStripe vs Stripe SDK");
const verify = await benchVerify(quick ? { rounds: 5 } : {});

const ingest = await runIngestSuite({ events, levels: CONCURRENCY_LEVELS, progress });

async function peerSuite(): Promise<PeerReport> {
  // Each side on a pool of its own, as each would run: grouped on the dev server's default pool (10; a group
  // statement is prepared and planned once per connection, so sharing the one-event side's 32 connections
  // would charge it that warm-up again in every round), the one-event path on one connection per delivery in flight.
  const groupedDb = await openBenchDatabase(NODE_POOL_MAX);
  const db = await openBenchDatabase(Math.max(...CONCURRENCY_LEVELS));
  const { services } = await ingestServices(groupedDb);
  const { services: oneEventServices } = await ingestServices(db, { grouped: false });
  const tenants = await createBenchTenants(services, 1, 4);
  try {
    return await benchSyncEnginePeer({
      services, oneEventServices, tenant: tenants[0]!, events, workEvents: quick ? 200 : 500, levels: CONCURRENCY_LEVELS, progress,
    });
  } finally {
    await deleteBenchTenants(db, tenants);
    await db.close();
    await groupedDb.close();
  }
}
const peer = await peerSuite();

const text = summary({ machine, verify, ingest, bundle, lambdaBundles, coldStart, peer, totalSeconds: (performance.now() - started) / 1000, quick });
console.log(text);
// The figures the README links, from the last run on this machine (commit them when they change).
await writeFile(new URL("./results.md", import.meta.url), [
  "# Benchmark results",
  "",
  `Written by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}. Figures only: nothing here passes or fails on time;`,
  "ratios compare runs made in the same process, on the same machine and database.",
  "",
  "```",
  text,
  "```",
  "",
].join("\n"));
