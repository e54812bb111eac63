// Node cold start of the stripe-webhook Lambda: its IaC-identical bundle written to a temporary directory,
// then, per run, a fresh `node` process that imports it and hands it one real-shaped API Gateway HTTP API
// (payload 2.0) event — a signed payment_intent.succeeded for a bench tenant — until the first response.
// Secrets come as plain variables here, so the preload has nothing to fetch; on AWS each secret adds a
// Secrets Manager call (in parallel) and the Lambda runtime's own init comes on top.
// Side by side, run for run (order alternating): the reference Lambda of bench/reference-lambda/ — the Stripe
// SDK's constructEvent + a `pg` insert, bundled the same way — answering the same kind of event.
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { lambdaEsbuildOptions } from "../infra/bundling.ts";
import { lambdaEntry } from "../infra/paths.ts";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "../tests/support/services.ts";
import { stripeSignature } from "../tests/support/stripe.ts";
import { BENCH_DATABASE_URL, describeDatabaseUrl, openBenchDatabase } from "./database.ts";
import { ingestServices } from "./ingest.ts";
import { paymentIntentEventBody } from "./payloads.ts";
import { inTurns } from "./pool.ts";
import { median } from "./stats.ts";
import { createBenchTenants, deleteBenchTenants, type BenchTenant } from "./tenants.ts";

export interface ColdStartRun {
  /** `spawn` → the child printed its answer: process start, module load, first invocation. */
  wallMs: number;
  /** Inside the child: importing the bundle (module evaluation, top-level code). */
  importMs: number;
  /** Inside the child: the first invocation (config, services, connection, the webhook itself). */
  firstInvokeMs: number;
  statusCode: number;
}

export interface ColdStartSide {
  runs: ColdStartRun[];
  median: { wallMs: number; importMs: number; firstInvokeMs: number };
  /** How many runs answered 200 (the event stored). */
  ok: number;
  bundleBytes: number;
}

export interface ColdStartReport {
  slug: string;
  databaseUrl: string;
  ours: ColdStartSide;
  reference: ColdStartSide;
  /** bench/floor-lambda: process start, import, one `select 1` — the least a handler touching the database costs. */
  floor: ColdStartSide;
}

const SLUG = "stripe-webhook";
const REFERENCE_ENTRY = fileURLToPath(new URL("./reference-lambda/index.mjs", import.meta.url));
const FLOOR_ENTRY = fileURLToPath(new URL("./floor-lambda/index.mjs", import.meta.url));
const REFERENCE_TABLE = "bench_reference_events";
const REFERENCE_WEBHOOK_SECRET = "whsec_bench_reference_cold_start";

// Runs inside the fresh process: import, invoke once, print the timings and the status, exit.
const CHILD = `
const t0 = performance.now();
const { handler } = await import(process.env.BENCH_BUNDLE_URL);
const t1 = performance.now();
const res = await handler(JSON.parse(process.env.BENCH_EVENT), {
  awsRequestId: "bench", functionName: "stripe-webhook", getRemainingTimeInMillis: () => 10_000,
});
const t2 = performance.now();
process.stdout.write(JSON.stringify({ importMs: t1 - t0, firstInvokeMs: t2 - t1, statusCode: res.statusCode }) + "\\n");
process.exit(0);
`;

/** An API Gateway HTTP API v2 event as AWS delivers a Stripe webhook to the function. */
function apiGatewayEvent(tenantId: string, body: string, signature: string): unknown {
  const path = `/api/webhooks/stripe/${tenantId}`;
  const now = new Date();
  return {
    version: "2.0",
    routeKey: "POST /api/webhooks/stripe/{tenantId}",
    rawPath: path,
    rawQueryString: "",
    headers: {
      accept: "*/*; q=0.5, application/xml",
      "cache-control": "no-cache",
      "content-length": String(Buffer.byteLength(body)),
      "content-type": "application/json; charset=utf-8",
      host: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
      "stripe-signature": signature,
      "user-agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
      "x-amzn-trace-id": "Root=1-6745f0a1-0123456789abcdef01234567",
      "x-forwarded-for": "54.187.174.169",
      "x-forwarded-port": "443",
      "x-forwarded-proto": "https",
    },
    requestContext: {
      accountId: "123456789012",
      apiId: "a1b2c3d4e5",
      domainName: "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
      domainPrefix: "a1b2c3d4e5",
      http: { method: "POST", path, protocol: "HTTP/1.1", sourceIp: "54.187.174.169", userAgent: "Stripe/1.0 (+https://stripe.com/docs/webhooks)" },
      requestId: `bench${now.getTime()}`,
      routeKey: "POST /api/webhooks/stripe/{tenantId}",
      stage: "$default",
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    pathParameters: { tenantId },
    body,
    isBase64Encoded: false,
  };
}

function runChild(bundleUrl: string, event: unknown, extraEnv: Record<string, string> = {}): Promise<ColdStartRun> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: BENCH_DATABASE_URL,
        ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
        SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
        APP_URL: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
        // Set by the Lambda runtime on every instance: ours then starts its init (services, connection) at import.
        AWS_LAMBDA_FUNCTION_NAME: "bench-cold-start",
        BENCH_BUNDLE_URL: bundleUrl,
        BENCH_EVENT: JSON.stringify(event),
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk;
      const line = out.split("\n").find((l) => l.startsWith('{"importMs"'));
      if (line) resolve({ wallMs: performance.now() - started, ...(JSON.parse(line) as Omit<ColdStartRun, "wallMs">) });
    });
    child.stderr.on("data", (chunk: Buffer) => (err += chunk));
    child.on("error", reject);
    child.on("exit", (code) => {
      if (!out.includes('{"importMs"')) reject(new Error(`cold-start child exited ${code}: ${err.trim().split("\n").slice(-3).join(" | ")}`));
    });
  });
}

function sideOf(runs: ColdStartRun[], bundleBytes: number): ColdStartSide {
  return {
    runs,
    median: {
      wallMs: median(runs.map((r) => r.wallMs)),
      importMs: median(runs.map((r) => r.importMs)),
      firstInvokeMs: median(runs.map((r) => r.firstInvokeMs)),
    },
    ok: runs.filter((r) => r.statusCode === 200).length,
    bundleBytes,
  };
}

/**
 * The IaC's esbuild options; the reference goes without our secrets preload (it reads plain variables, and
 * the preload's top-level await cannot be injected into CommonJS `pg`).
 */
async function bundleTo(entry: string, outfile: string, options: { preload: boolean }): Promise<number> {
  const { inject: _preload, ...withoutPreload } = lambdaEsbuildOptions(entry);
  await build({ ...(options.preload ? lambdaEsbuildOptions(entry) : withoutPreload), outfile });
  return statSync(outfile).size;
}

/** `runs` fresh processes per side, ours, the reference and the floor taking turns at going first. */
export async function benchColdStart(options: { runs: number }): Promise<ColdStartReport> {
  const dir = mkdtempSync(join(tmpdir(), "ips-cold-start-"));
  const bundle = join(dir, "ours", "index.mjs");
  const referenceBundle = join(dir, "reference", "index.mjs");
  const floorBundle = join(dir, "floor", "index.mjs");
  let db: DbPool | undefined;
  let tenants: BenchTenant[] = [];
  try {
    const oursBytes = await bundleTo(lambdaEntry(SLUG), bundle, { preload: true });
    const referenceBytes = await bundleTo(REFERENCE_ENTRY, referenceBundle, { preload: false });
    const floorBytes = await bundleTo(FLOOR_ENTRY, floorBundle, { preload: false });
    db = await openBenchDatabase(2);
    await db.execScript(`create table if not exists ${REFERENCE_TABLE} (id text primary key, type text not null, payload jsonb not null,
      created_at timestamptz not null default now())`);
    const { services } = await ingestServices(db);
    tenants = await createBenchTenants(services, 1, 1);
    const tenant = tenants[0]!;
    const ours: ColdStartRun[] = [];
    const reference: ColdStartRun[] = [];
    const floor: ColdStartRun[] = [];
    const eventFor = (i: number, secret: string) => {
      const created = Math.floor(Date.now() / 1000);
      const body = paymentIntentEventBody({
        eventId: `evt_cold_${created}_${i}_${Math.random().toString(36).slice(2, 8)}`, type: "payment_intent.succeeded",
        intentId: `pi_cold_${created}_${i}_${Math.random().toString(36).slice(2, 8)}`, enrollmentId: tenant.enrollmentIds[0]!,
        tenantId: tenant.id, amount: 25_000, created,
      });
      return apiGatewayEvent(tenant.id, body, stripeSignature(body, { secret }));
    };
    const runOurs = async (i: number) => ours.push(await runChild(pathToFileURL(bundle).href, eventFor(i, tenant.webhookSecret)));
    const runReference = async (i: number) => reference.push(await runChild(pathToFileURL(referenceBundle).href,
      eventFor(i, REFERENCE_WEBHOOK_SECRET), { STRIPE_SECRET_KEY: "sk_test_51BenchReference000000000000", STRIPE_WEBHOOK_SECRET: REFERENCE_WEBHOOK_SECRET }));
    const runFloor = async () => floor.push(await runChild(pathToFileURL(floorBundle).href, {}));
    for (let i = 0; i < options.runs; i++) await inTurns(i, [() => runOurs(i), () => runReference(i), runFloor]);
    return {
      slug: SLUG, databaseUrl: describeDatabaseUrl(),
      ours: sideOf(ours, oursBytes), reference: sideOf(reference, referenceBytes), floor: sideOf(floor, floorBytes),
    };
  } finally {
    if (db) {
      await deleteBenchTenants(db, tenants).catch(() => {});
      await db.execScript(`drop table if exists ${REFERENCE_TABLE}`).catch(() => {});
      await db.close();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}
