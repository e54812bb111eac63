// The whole ingest section: one pool, bench tenants, a warm-up, then per concurrency level the plain-INSERT
// baseline and the handler on the same bodies (order alternating by level), and the stored-row check.
// Tenants and the baseline table are removed however it ends.
import type { DbPool } from "../functions/_shared/db/port.ts";
import { describeDatabaseUrl, openBenchDatabase } from "./database.ts";
import { benchIngest, ingestBatch, ingestServices, storedCounts, type IngestFigures, type LogCounts, type StoredCounts } from "./ingest.ts";
import { databaseInfo, type DatabaseInfo } from "./machine.ts";
import { benchPlainInsert, createPlainTable, dropPlainTable } from "./plain-insert.ts";
import type { Throughput } from "./pool.ts";
import { createBenchTenants, deleteBenchTenants } from "./tenants.ts";

export interface IngestLevel {
  concurrency: number;
  events: number;
  ingest: IngestFigures;
  plain: Throughput;
  stored: StoredCounts;
}

export interface IngestReport {
  databaseUrl: string;
  database: DatabaseInfo;
  poolSize: number;
  tenants: number;
  bodyBytes: number;
  levels: IngestLevel[];
  logs: LogCounts;
  tenantsDeleted: number;
}

const TENANTS = 4;
const ENROLLMENTS_PER_TENANT = 4;
const WARMUP_EVENTS = 256;

export async function runIngestSuite(options: { events: number; levels: readonly number[]; progress: (line: string) => void }): Promise<IngestReport> {
  const { events, levels, progress } = options;
  const poolSize = Math.max(...levels);
  const db: DbPool = await openBenchDatabase(poolSize);
  const runId = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  let tenants: Awaited<ReturnType<typeof createBenchTenants>> = [];
  try {
    const { services, logs } = await ingestServices(db);
    tenants = await createBenchTenants(services, TENANTS, ENROLLMENTS_PER_TENANT);
    await createPlainTable(db);

    // Opens every pool connection and warms the JIT and the integration cache before anything is timed.
    const warmup = ingestBatch(runId, "warm", tenants, WARMUP_EVENTS);
    await benchPlainInsert(db, warmup.events.map((e) => e.body), poolSize);
    await benchIngest(services, warmup, poolSize);

    const results: IngestLevel[] = [];
    for (const [index, concurrency] of levels.entries()) {
      progress(`ingest: concurrency ${concurrency}, ${events} events`);
      const batch = ingestBatch(runId, `c${concurrency}`, tenants, events);
      const bodies = batch.events.map((e) => e.body);
      let plain: Throughput;
      let ingest: IngestFigures;
      if (index % 2 === 0) {
        plain = await benchPlainInsert(db, bodies, concurrency);
        ingest = await benchIngest(services, batch, concurrency);
      } else {
        ingest = await benchIngest(services, batch, concurrency);
        plain = await benchPlainInsert(db, bodies, concurrency);
      }
      results.push({ concurrency, events, ingest, plain, stored: await storedCounts(db, tenants, batch) });
    }

    const bodyBytes = Math.round(warmup.events.reduce((n, e) => n + Buffer.byteLength(e.body), 0) / warmup.events.length);
    return {
      databaseUrl: describeDatabaseUrl(), database: await databaseInfo(db), poolSize, tenants: tenants.length, bodyBytes,
      levels: results, logs, tenantsDeleted: await deleteBenchTenants(db, tenants),
    };
  } finally {
    await deleteBenchTenants(db, tenants).catch(() => 0);
    await dropPlainTable(db).catch(() => {});
    await db.close();
  }
}
