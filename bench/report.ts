// The one summary block `npm run bench` ends with. Figures only: nothing here passes or fails on time.
import type { BundleReport } from "./bundle.ts";
import type { ColdStartReport } from "./cold-start.ts";
import type { PeerReport } from "./peer-sync-engine.ts";
import type { PgWork } from "./pg-work.ts";
import { WEBHOOK_BUNDLE_TARGET_BYTES, type LambdaBundle } from "./lambda-bundles.ts";
import type { IngestReport } from "./ingest-suite.ts";
import type { MachineInfo } from "./machine.ts";
import { fmt, ratio, table } from "./stats.ts";
import type { VerifyReport } from "./verify.ts";

const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;

function verifySection(v: VerifyReport): string {
  const { ours, sdkAsync, sdkSync, subtleFloor } = v.figures;
  const rows = [ours, sdkAsync, sdkSync, subtleFloor].map((f) => [f.name, fmt(f.usPerOp, 1), fmt(f.minUs, 1), fmt(f.maxUs, 1), fmt(f.iterations, 0)]);
  return [
    `(a) Stripe-Signature verification — ${fmt(v.bodyBytes, 0)}-byte bodies, ${v.rounds} rounds, order rotated per round, after warm-up`,
    table(["verifier", "µs/op (median round)", "fastest round", "slowest round", "iterations"], rows),
    `ratio SDK portable (constructEventAsync+SubtleCrypto) / ours: ${ratio(sdkAsync.usPerOp, ours.usPerOp)}`,
    `ratio SDK sync node:crypto (reference, Node-only) / ours:      ${ratio(sdkSync.usPerOp, ours.usPerOp)}`,
    `ratio ours / bare crypto.subtle.sign:                          ${ratio(ours.usPerOp, subtleFloor.usPerOp)}`,
  ].join("\n");
}

function ingestSection(r: IngestReport): string {
  const rows = r.levels.map((l) => [
    String(l.concurrency),
    fmt(l.ingest.perSecond, 0), fmt(l.ingest.p50Ms, 2), fmt(l.ingest.p99Ms, 2),
    fmt(l.plain.perSecond, 0), fmt(l.plain.p50Ms, 2), fmt(l.plain.p99Ms, 2),
    ratio(l.ingest.perSecond, l.plain.perSecond),
    `${fmt(l.stored.webhookEvents, 0)}/${fmt(l.events, 0)}${l.stored.webhookEvents === l.events ? "" : " MISMATCH"}`,
    fmt(l.stored.processed, 0), fmt(l.stored.payments, 0),
  ]);
  const unexpected = r.levels.flatMap((l) => Object.entries(l.ingest.unexpected).map(([k, n]) => `c${l.concurrency} ${k}×${n}`));
  return [
    `(b) Ingest — stripe-webhook handler in-process (Request → handler, no HTTP; concurrent events grouped as on the dev server and Deno) → PostgreSQL; ` +
      `distinct payment_intent.* events over ${r.tenants} tenants, ~${fmt(r.bodyBytes, 0)}-byte bodies; ` +
      `baseline: single-row INSERT of the same body into a uuid/jsonb table, same Db adapter and pool`,
    table(
      ["conc", "handler ev/s", "p50 ms", "p99 ms", "plain rows/s", "p50 ms", "p99 ms", "ingest/plain", "webhook_events stored/N", "processed", "payments"],
      rows,
    ),
    `responses other than 200 {received:1,duplicates:0,failed:0}: ${unexpected.length ? unexpected.join(", ") : "none"}`,
    `handler log lines: info ${fmt(r.logs.info, 0)}, warn ${r.logs.warn}, error ${r.logs.error}` +
      (r.logs.firstProblem ? ` — first: ${r.logs.firstProblem}` : ""),
    `bench tenants deleted afterwards: ${r.tenantsDeleted}`,
  ].join("\n");
}

function bundleSection(b: BundleReport): string {
  const packages = Object.entries(b.bytesByPackage).sort((x, y) => y[1] - x[1]).map(([name, bytes]) => `${name} ${kb(bytes)}`);
  return [
    `(c) Bundle — ${b.entry} (esbuild: bundle, minify, esm, platform neutral, external node:*)`,
    `minified ${kb(b.minifiedBytes)} (${fmt(b.minifiedBytes, 0)} B), gzip ${kb(b.gzipBytes)}; ` +
      `stripe package in bundle: ${b.includesStripe ? "YES" : "no"}`,
    `contents by package: ${packages.join(", ")}; external imports: ${b.externalImports.length ? b.externalImports.join(", ") : "none"}`,
  ].join("\n");
}

function lambdaBundlesSection(bundles: readonly LambdaBundle[]): string {
  const yesNo = (value: boolean) => (value ? "YES" : "no");
  const rows = bundles.map((b) =>
    b.minifiedBytes === undefined
      ? [b.slug, b.webhook ? "webhook" : "other", "no lambda.ts", "", "", "", "", ""]
      : [
          b.slug, b.webhook ? "webhook" : "other", kb(b.minifiedBytes), kb(b.gzipBytes ?? 0),
          b.webhook ? (b.minifiedBytes <= WEBHOOK_BUNDLE_TARGET_BYTES ? "within" : `over by ${kb(b.minifiedBytes - WEBHOOK_BUNDLE_TARGET_BYTES)}`) : "",
          yesNo(b.includesStripe), yesNo(b.includesPglite),
          b.topPackages.map(([name, bytes]) => `${name} ${kb(bytes)}`).join(", "),
        ],
  );
  return [
    `(d) Lambda bundles — functions/<slug>/lambda.ts as the IaC bundles it (infra/bundling.ts: esbuild, minified esm, node22, ` +
      `secrets preload injected, @aws-sdk/* left to the runtime); target for webhooks ≤ ${kb(WEBHOOK_BUNDLE_TARGET_BYTES)}`,
    table(["function", "kind", "minified", "gzip", "vs target", "stripe", "pglite", "largest parts"], rows),
  ].join("\n");
}

function coldStartSection(c: ColdStartReport): string {
  const rows = (label: string, side: ColdStartReport["ours"]) => [
    ...side.runs.map((r, i) => [label, String(i + 1), fmt(r.wallMs, 1), fmt(r.importMs, 1), fmt(r.firstInvokeMs, 1), String(r.statusCode)]),
    [label, "median", fmt(side.median.wallMs, 1), fmt(side.median.importMs, 1), fmt(side.median.firstInvokeMs, 1), `${side.ok}/${side.runs.length} × 200`],
  ];
  return [
    `(e) Node cold start — each run a fresh \`node\` process: import the bundle, one API Gateway v2 event (signed ` +
      `payment_intent.succeeded) → first response; database ${c.databaseUrl}; secrets as plain env (no Secrets Manager call), ` +
      `no Lambda runtime init. ours: the ${c.slug} Lambda bundle (${kb(c.ours.bundleBytes)}); reference: bench/reference-lambda ` +
      `(stripe SDK constructEvent + node-postgres insert, ${kb(c.reference.bundleBytes)}), bundled the same way; floor: ` +
      `bench/floor-lambda (postgres.js \`select 1\` only, ${kb(c.floor.bundleBytes)}): the least any handler touching the database takes; runs take turns`,
    table(["lambda", "run", "spawn → response ms", "import ms", "first invocation ms", "status"],
      [...rows("ours", c.ours), ...rows("reference", c.reference), ...rows("floor", c.floor)]),
    `cold start floor vs reference: ${ratio(c.floor.median.wallMs, c.reference.median.wallMs)} ` +
      `(the goal, ours ≤ 0.5× the reference, is below what a process that only connects and answers takes here)`,
  ].join("\n");
}

function peerSection(p: PeerReport): string {
  const pgCpu = (us: number) => (Number.isNaN(us) ? "—" : fmt(us, 0));
  const rows = p.levels.map((l) => [
    String(l.concurrency), fmt(l.ours.perSecond, 0), fmt(l.ours.p99Ms, 2), fmt(l.oursCpuUs, 0), pgCpu(l.oursServerCpuUs),
    fmt(l.oursOneEvent.perSecond, 0), fmt(l.oursOneEvent.p99Ms, 2), fmt(l.oursOneEventCpuUs, 0), pgCpu(l.oursOneEventServerCpuUs),
    fmt(l.peer.perSecond, 0), fmt(l.peer.p99Ms, 2), fmt(l.peerCpuUs, 0), pgCpu(l.peerServerCpuUs),
    ratio(l.ours.perSecond, l.peer.perSecond), ratio(l.ours.p99Ms, l.peer.p99Ms),
    ratio(l.oursOneEvent.perSecond, l.peer.perSecond), String(l.peerErrors),
  ]);
  const w = p.work;
  const workRow = (name: string, x: PgWork) => [name, fmt(x.statements, 2), fmt(x.rowsWritten, 2), fmt(x.walBytes, 0)];
  return [
    `(f) Peer — ${p.engine} on the same signed events (customer-less payment_intent.*) and the same PostgreSQL, ` +
      `each level in ${p.rounds} rounds per side, the sides taking turns at going first (figures over all rounds); ` +
      "it verifies and upserts the object but keeps no event log and no idempotency keys; Node CPU = process.cpuUsage per event; PG CPU = the local server's processes (/proc, postmaster and children) per event, — when not local; it includes " +
      "the checkpointer and WAL writer, so a slow run right after a heavy one carries some of that one's writes. " +
      "ours: grouped, as the dev server, a Deno isolate or a Node container serve (event-groups.ts); " +
      "one-event: the path a Lambda instance takes, one statement per event",
    table([
      "conc", "ours ev/s", "ours p99 ms", "ours CPU µs/ev", "ours PG CPU µs/ev",
      "one-event ev/s", "one-event p99 ms", "one-event CPU µs/ev", "one-event PG CPU µs/ev",
      "peer ev/s", "peer p99 ms", "peer CPU µs/ev", "peer PG CPU µs/ev", "ours/peer ev/s", "ours/peer p99", "one-event/peer ev/s", "peer errors",
    ], rows),
    `PostgreSQL work per event at concurrency ${w.concurrency} (least of ${w.samples} samples × ${fmt(w.events, 0)} events, pools of their own; ` +
      "statements counted client-side incl. BEGIN/COMMIT, rows = pg_stat_database tup_inserted+updated+deleted, " +
      "WAL = pg_wal_lsn_diff of pg_current_wal_lsn — cluster-wide, so other work on the machine can only add to it)",
    table(["", "statements/ev", "rows written/ev", "WAL bytes/ev"], [workRow("ours", w.ours), workRow("one-event", w.oursOneEvent), workRow("peer", w.peer)]),
  ].join("\n");
}

/** The lines the README quotes: the same-run ratios the goals are stated in. */
function headlineLines(p: PeerReport, c: ColdStartReport): string[] {
  const level = (n: number) => p.levels.find((l) => l.concurrency === n);
  const at8 = level(8);
  const at32 = level(32);
  return [
    `ingest vs peer @8: ${at8 ? ratio(at8.ours.perSecond, at8.peer.perSecond) : "n/a"}`,
    `ingest vs peer @32: ${at32 ? ratio(at32.ours.perSecond, at32.peer.perSecond) : "n/a"}`,
    `p99 vs peer @32: ${at32 ? ratio(at32.ours.p99Ms, at32.peer.p99Ms) : "n/a"}`,
    `cold start vs reference: ${ratio(c.ours.median.wallMs, c.reference.median.wallMs)}`,
  ];
}

export function summary(parts: {
  machine: MachineInfo; verify: VerifyReport; ingest: IngestReport; bundle: BundleReport;
  lambdaBundles: readonly LambdaBundle[]; coldStart: ColdStartReport; peer: PeerReport; totalSeconds: number; quick: boolean;
}): string {
  const { machine: m, ingest: i } = parts;
  const rule = "=".repeat(100);
  return [
    rule,
    "IPS integrations — benchmark summary (figures only; nothing here passes or fails on time)",
    `machine:  node ${m.node}, ${m.platform}, ${m.cpus} CPUs (${m.cpuModel}), ${fmt(m.memoryGiB, 1)} GiB RAM, load average at start ${fmt(m.loadAverage, 2)}`,
    `database: ${i.databaseUrl} — PostgreSQL ${i.database.serverVersion}, synchronous_commit=${i.database.synchronousCommit}, ` +
      `fsync=${i.database.fsync}, max_connections=${i.database.maxConnections}; postgres.js pool ${i.poolSize}; integration cache: createServices default TTL`,
    rule,
    verifySection(parts.verify),
    "",
    ingestSection(parts.ingest),
    "",
    bundleSection(parts.bundle),
    "",
    lambdaBundlesSection(parts.lambdaBundles),
    "",
    coldStartSection(parts.coldStart),
    "",
    peerSection(parts.peer),
    rule,
    ...headlineLines(parts.peer, parts.coldStart),
    rule,
    `total bench time: ${fmt(parts.totalSeconds, 1)} s${parts.quick ? " (quick mode)" : ""}`,
  ].join("\n");
}
