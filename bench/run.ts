// `npm run bench`: bundle size, signature verification, then ingest into PostgreSQL; progress on stderr,
// one summary block on stdout at the end. BENCH_EVENTS sets the events per concurrency level (default 2,000).
import { benchBundle } from "./bundle.ts";
import { runIngestSuite } from "./ingest-suite.ts";
import { machineInfo } from "./machine.ts";
import { summary } from "./report.ts";
import { benchVerify } from "./verify.ts";

const CONCURRENCY_LEVELS = [1, 8, 32] as const;

function eventsPerLevel(): number {
  const raw = process.env.BENCH_EVENTS;
  const value = raw === undefined || raw === "" ? 2_000 : Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new Error(`BENCH_EVENTS must be a positive integer, got "${raw}"`);
  return value;
}

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

const started = performance.now();
const events = eventsPerLevel();
const machine = machineInfo();

progress("bundle: esbuild functions/stripe-webhook/handler.ts");
const bundle = await benchBundle();

progress("verify: verifyStripe vs Stripe SDK");
const verify = await benchVerify();

const ingest = await runIngestSuite({ events, levels: CONCURRENCY_LEVELS, progress });

console.log(summary({ machine, verify, ingest, bundle, totalSeconds: (performance.now() - started) / 1000 }));
