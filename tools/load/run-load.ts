// The load run: the webhook served over loopback HTTP by this process, on the PostgreSQL at DATABASE_URL;
// N distinct signed Stripe events over several tenants, a fraction re-delivered, all shuffled, C in flight;
// then the database is audited and one line says what happened.
import { serve } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { loadConfig } from "../../functions/_shared/config.ts";
import { createServices } from "../../functions/_shared/context.ts";
import { createEventGroups } from "../../functions/_shared/webhooks/event-groups.ts";
import { bytesToHex } from "../../functions/_shared/crypto/encoding.ts";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import { createLogger } from "../../functions/_shared/http/logger.ts";
import { saveIntegration } from "../../functions/_shared/integrations/store.ts";
import { functionDefinition } from "../../functions/manifest.ts";
import { createApp } from "../../functions/runtimes/node/app.ts";
import { openDatabase } from "../../functions/runtimes/node/database.ts";
import { auditRun, type Audit } from "./audit.ts";
import { deliverAll, type Delivery, type DeliveryFigures } from "./deliver.ts";
import { seededRandom, shuffle } from "./random.ts";
import { buildScenario, type LoadTenant } from "./scenario.ts";

export interface LoadOptions {
  databaseUrl: string;
  events: number;
  /** Fraction of the events delivered a second time (0…1). */
  dupes: number;
  concurrency: number;
  tenants: number;
  /** The server's database pool. */
  pool: number;
  seed: number;
  /** Keep the run's tenants (and their rows) instead of deleting them afterwards. */
  keep: boolean;
  progress: (line: string) => void;
}

export interface LoadResult {
  /** The one line the run ends with. */
  line: string;
  ok: boolean;
  audit: Audit;
  figures: DeliveryFigures;
  deliveries: number;
  logCounts: { info: number; warn: number; error: number };
}

function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

async function createLoadTenants(db: DbPool, services: ReturnType<typeof createServices>, runId: string, count: number): Promise<LoadTenant[]> {
  const tenants: LoadTenant[] = [];
  for (let t = 0; t < count; t++) {
    const [row] = await db.query<{ id: string }>("insert into tenants (name) values ($1) returning id", [`Load School ${runId} ${t + 1}`]);
    const id = row!.id;
    const webhookSecret = `whsec_load_${bytesToHex(crypto.getRandomValues(new Uint8Array(16)))}`;
    await saveIntegration(db, services.vault, {
      tenantId: id, key: "stripe", enabled: true, credentials: { secretKey: "sk_test_51LoadRunKey000000000000000000", webhookSecret }, settings: {},
    });
    const enrollmentIds: string[] = [];
    for (let e = 0; e < 5; e++) {
      const [enrollment] = await db.query<{ id: string }>(
        "insert into enrollments (tenant_id, student_name) values ($1, $2) returning id", [id, `Load Student ${e + 1}`]);
      enrollmentIds.push(enrollment!.id);
    }
    tenants.push({ id, webhookSecret, enrollmentIds });
  }
  return tenants;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const runId = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
  const random = seededRandom(options.seed);
  const db = await openDatabase({ databaseUrl: options.databaseUrl, max: options.pool });
  const logCounts = { info: 0, warn: 0, error: 0 };
  // The webhook logs a line per event: counted here (a warn or error would be worth a look), not printed.
  const log = createLogger({}, (line) => {
    logCounts[line.startsWith('{"level":"info"') ? "info" : line.startsWith('{"level":"warn"') ? "warn" : "error"]++;
  });
  // Only this run's tenants are sealed with this key, so any key does; ENCRYPTION_KEY when set.
  const config = await loadConfig({
    ENCRYPTION_KEY: process.env.ENCRYPTION_KEY || bytesToHex(crypto.getRandomValues(new Uint8Array(32))),
    DATABASE_URL: options.databaseUrl,
    // The per-IP webhook limit guards against floods from one address; this run is one address on purpose.
    WEBHOOK_RATE_LIMIT_PER_MINUTE: process.env.WEBHOOK_RATE_LIMIT_PER_MINUTE ?? "0",
  }, { requireJwtSecret: false });
  // Served as the dev server serves it: concurrent events grouped, a few per statement (event-groups.ts).
  const services = createServices(config, db, { log, eventGroups: createEventGroups() });
  let tenants: LoadTenant[] = [];
  const app = await createApp(services, [functionDefinition("stripe-webhook")]);
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  try {
    await new Promise<void>((resolve) => server.once("listening", resolve));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

    tenants = await createLoadTenants(db, services, runId, options.tenants);
    const scenario = buildScenario(runId, tenants, options.events, random, Math.floor(Date.now() / 1000));
    const secretOf = new Map(tenants.map((t) => [t.id, t.webhookSecret]));
    const redelivered = shuffle([...scenario.events], random).slice(0, Math.round(options.events * options.dupes));
    const deliveries: Delivery[] = shuffle([...scenario.events, ...redelivered], random)
      .map((event) => ({ event, secret: secretOf.get(event.tenantId)! }));
    options.progress(`${scenario.events.length} events (${redelivered.length} delivered twice) over ${tenants.length} tenants → ${baseUrl}, ${options.concurrency} in flight`);

    const figures = await deliverAll(deliveries, options.concurrency, (event) => `${baseUrl}/api/webhooks/stripe/${event.tenantId}`);
    options.progress(`delivered in ${(figures.wallMs / 1000).toFixed(1)} s: ${figures.requests} requests, ${figures.serverErrors} 5xx, ` +
      `${figures.networkErrors} connection errors, ${figures.timeouts} timeouts, ${figures.throttled} 429, other non-2xx ${JSON.stringify(figures.unexpected)}, gave up ${figures.gaveUp}; ` +
      `webhook log lines info ${logCounts.info} warn ${logCounts.warn} error ${logCounts.error}`);

    const audit = await auditRun(db, scenario, figures.failedEventIds);
    for (const finding of audit.findings) options.progress(`audit: ${finding.kind}: ${finding.what}: ${finding.count}`);
    options.progress(`audit: ${scenario.expected.payments.size} payments, ${scenario.expected.refunds.size} refunds, ` +
      `${scenario.expected.subscriptions.size} subscriptions checked`);

    const rate = deliveries.length / (figures.wallMs / 1000);
    const line = `${options.events} delivered, ${audit.stored} stored, ${audit.lost} lost, ${audit.duplicated} duplicated, ` +
      `${figures.serverErrors} 5xx, ${Math.round(rate)} events/s, p50 ${percentile(figures.latenciesMs, 0.5).toFixed(1)} ms, ` +
      `p99 ${percentile(figures.latenciesMs, 0.99).toFixed(1)} ms`;
    return { line, ok: audit.lost === 0 && audit.duplicated === 0, audit, figures, deliveries: deliveries.length, logCounts };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    if (!options.keep && tenants.length) {
      await db.query("delete from tenants where id = any(string_to_array($1, ',')::uuid[])", [tenants.map((t) => t.id).join(",")]);
    }
    await db.close();
  }
}
