// The Db port and the migration runner, run identically on embedded PGlite and (when DATABASE_URL or
// TEST_DATABASE_URL is set, as in CI) on the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, REAL_DATABASE_URL, openTestDatabase } from "../../../tests/support/database.ts";
import { asProbe, grantProbeRead } from "../../../tests/support/rls.ts";
import { createTenant } from "../../../tests/support/tenants.ts";
import { loadMigrations } from "../../runtimes/node/migrations.ts";
import { migrate } from "./migrate.ts";
import { createPgliteDb } from "./pglite.ts";
import { DbUnavailableError, type DbPool } from "./port.ts";
import { createPostgresDb } from "./postgres.ts";

describe.each(ADAPTERS)("Db port on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db.close();
  });

  it("returns int8 as numbers, jsonb as values and timestamptz as Dates", async () => {
    const [row] = await db.query<{ big: number; doc: unknown; at: Date }>(
      "select 9007199254740991::int8 as big, $1::jsonb as doc, to_timestamp(0) as at",
      [JSON.stringify({ a: [1, "two"], b: null })],
    );
    expect(row).toEqual({ big: Number.MAX_SAFE_INTEGER, doc: { a: [1, "two"], b: null }, at: new Date(0) });
  });

  it("stores jsonb passed as JSON text exactly once (not double-encoded)", async () => {
    const tenantId = await createTenant(db);
    await db.query("insert into audit_log (tenant_id, actor, action, details) values ($1, 'test', 'x', $2::jsonb)", [
      tenantId, JSON.stringify({ fields: ["webhookSecret"] }),
    ]);
    const [row] = await db.query<{ kind: string; first: string }>(
      "select jsonb_typeof(details) as kind, details->'fields'->>0 as first from audit_log where tenant_id = $1", [tenantId],
    );
    expect(row).toEqual({ kind: "object", first: "webhookSecret" });
  });

  it("commits a transaction and rolls it back when the work throws", async () => {
    const committed = await createTenant(db);
    const name = `rolled back ${crypto.randomUUID()}`;
    await expect(db.transaction(async (tx) => {
      await tx.query("update tenants set name = $2 where id = $1", [committed, name]);
      await tx.transaction(async (inner) => inner.query("select 1"));
      throw new Error("boom");
    })).rejects.toThrow("boom");
    expect(await db.query("select 1 from tenants where name = $1", [name])).toHaveLength(0);

    await db.transaction((tx) => tx.query("update tenants set name = $2 where id = $1", [committed, name]));
    expect(await db.query("select 1 from tenants where name = $1", [name])).toHaveLength(1);
  });

  it("has applied every migration once, and a second run applies nothing", async () => {
    const migrations = await loadMigrations();
    const recorded = await db.query<{ version: string }>("select version from supabase_migrations.schema_migrations order by version");
    expect(recorded.map((r) => r.version)).toEqual(expect.arrayContaining(migrations.map((m) => m.name.slice(0, 14))));
    expect(await migrate(db, migrations)).toEqual([]);
  });

  it("runs the seed document's monitoring queries unchanged", async () => {
    const tenantId = await createTenant(db);
    const queries = [
      `SELECT integration_key, is_enabled, created_at, updated_at FROM integrations WHERE tenant_id = '${tenantId}'`,
      `SELECT source, event_type, created_at, processed_at, payload FROM webhook_events WHERE tenant_id = '${tenantId}' ORDER BY created_at DESC LIMIT 50`,
      "SELECT amount, currency, status, stripe_payment_intent, created_at FROM payments ORDER BY created_at DESC LIMIT 10",
      "SELECT id, signature_status, signature_envelope_id, signature_sent_at, signature_completed_at FROM enrollments WHERE signature_envelope_id IS NOT NULL ORDER BY updated_at DESC",
    ];
    for (const sql of queries) await expect(db.query(sql)).resolves.toBeInstanceOf(Array);
  });

  it("compresses stored event payloads with lz4 where the server has it, and reads them back whole", async () => {
    const [server] = await db.query<{ lz4: boolean }>(
      "select exists (select 1 from pg_config() where name = 'CONFIGURE' and setting like '%--with-lz4%') as lz4",
    ).catch(() => [{ lz4: false }]); // PGlite has no pg_config(): it is built without lz4
    const [column] = await db.query<{ method: string }>(
      "select attcompression::text as method from pg_attribute where attrelid = 'webhook_events'::regclass and attname = 'payload'",
    );
    expect(column!.method).toBe(server!.lz4 ? "l" : ""); // "": the server's default (pglz)
    const tenantId = await createTenant(db);
    // Large and repetitive enough to be compressed on insert (past the ~2 KB toast threshold).
    const payload = { id: "evt_big", lines: Array.from({ length: 200 }, (_, i) => ({ n: i, description: "Tuition — Fall term 2026" })) };
    await db.query(
      "insert into webhook_events (tenant_id, source, event_type, external_id, payload) values ($1, 'stripe', 'x', 'evt_big', $2::jsonb)",
      [tenantId, JSON.stringify(payload)],
    );
    const [row] = await db.query<{ payload: unknown; method: string | null }>(
      "select payload, pg_column_compression(payload) as method from webhook_events where tenant_id = $1", [tenantId],
    );
    expect(row).toEqual({ payload, method: server!.lz4 ? "lz4" : "pglz" });
  });

  it("keeps one webhook event per (tenant, source, external id)", async () => {
    const tenantId = await createTenant(db);
    const insert = () => db.query(
      `insert into webhook_events (tenant_id, source, event_type, external_id, payload)
       values ($1, 'stripe', 'x', 'evt_1', '{}'::jsonb) on conflict do nothing returning id`, [tenantId],
    );
    expect(await insert()).toHaveLength(1);
    expect(await insert()).toHaveLength(0);
    const other = await createTenant(db);
    await expect(db.query(
      `insert into webhook_events (tenant_id, source, event_type, external_id, payload) values ($1, 'stripe', 'x', 'evt_1', '{}'::jsonb)`, [other],
    )).resolves.toEqual([]);
  });

  it("enforces row-level security by the tenant in request.jwt.claims for non-owner roles", async () => {
    const tenantA = await createTenant(db);
    const tenantB = await createTenant(db);
    for (const tenantId of [tenantA, tenantB]) {
      await db.query(
        `insert into payments (tenant_id, stripe_payment_intent, amount, currency, status, status_rank, source_event_created)
         values ($1, $2, 1000, 'usd', 'succeeded', 2, now())`, [tenantId, `pi_rls_${crypto.randomUUID()}`],
      );
    }
    // A role like Supabase's `authenticated`: not the owner, so policies apply.
    await grantProbeRead(db, ["payments", "integrations"]);
    const admin = { sub: "u1", app_metadata: { tenant_id: tenantA, role: "admin" } };
    const payments = await asProbe(db, admin, (tx) => tx.query<{ tenant_id: string }>("select tenant_id from payments"));
    const integrations = await asProbe(db, { ...admin, app_metadata: { tenant_id: tenantA, role: "member" } }, (tx) => tx.query("select 1 from integrations"));
    expect(payments.length).toBeGreaterThan(0);
    expect(new Set(payments.map((p) => p.tenant_id))).toEqual(new Set([tenantA]));
    // A member (not admin) sees no integrations, even its own tenant's. Members' own rows: tests/families-rls.test.ts.
    expect(integrations).toHaveLength(0);
  });
});

describe("migration runner", () => {
  it("applies in name order and records each migration", async () => {
    const db = await createPgliteDb();
    try {
      const applied = await migrate(db, [
        { name: "20260101000002_b.sql", sql: "insert into t values (2);" },
        { name: "20260101000001_a.sql", sql: "create table t (v int); insert into t values (1);" },
      ]);
      expect(applied).toEqual(["20260101000001_a.sql", "20260101000002_b.sql"]);
      expect(await db.query("select v from t order by v")).toEqual([{ v: 1 }, { v: 2 }]);
    } finally {
      await db.close();
    }
  });

  it("applies nothing of a failing batch (one transaction)", async () => {
    const db = await createPgliteDb();
    try {
      await expect(migrate(db, [
        { name: "20260101000001_a.sql", sql: "create table t (v int);" },
        { name: "20260101000002_b.sql", sql: "this is not sql;" },
      ])).rejects.toThrow();
      expect(await db.query("select to_regclass('t') as t")).toEqual([{ t: null }]);
    } finally {
      await db.close();
    }
  });

  it.runIf(REAL_DATABASE_URL)("is safe when two cold starts race on a fresh PostgreSQL database", async () => {
    const admin = createPostgresDb(REAL_DATABASE_URL!, { max: 1 });
    const name = `ips_migrate_race_${crypto.randomUUID().replace(/-/g, "").slice(0, 12)}`;
    await admin.query(`create database ${name}`);
    const url = new URL(REAL_DATABASE_URL!);
    url.pathname = `/${name}`;
    const first = createPostgresDb(url.toString(), { max: 2 });
    const second = createPostgresDb(url.toString(), { max: 2 });
    try {
      const migrations = await loadMigrations();
      const [a, b] = await Promise.all([migrate(first, migrations), migrate(second, migrations)]);
      // One of them applied everything, the other waited on the advisory lock and found nothing to do.
      expect([...a, ...b].sort()).toEqual(migrations.map((m) => m.name).sort());
      expect(await first.query("select count(*)::int as n from supabase_migrations.schema_migrations")).toEqual([{ n: migrations.length }]);
    } finally {
      await first.close();
      await second.close();
      await admin.query(`drop database if exists ${name}`);
      await admin.close();
    }
  });
});

describe.runIf(REAL_DATABASE_URL)("postgres adapter without the array-type fetch", () => {
  it("runs a transaction as the very first use of a fresh pool (the vendored reserve fix)", async () => {
    // Unpatched postgres.js 3.4.9 with fetch_types off never hands a fresh connection to reserve(): this
    // transaction would wait for the 5 s reserve timeout and fail as DbUnavailableError.
    const db = createPostgresDb(REAL_DATABASE_URL!, { max: 2 });
    try {
      const started = performance.now();
      await expect(db.transaction((tx) => tx.query<{ n: number }>("select 1 as n"))).resolves.toEqual([{ n: 1 }]);
      // Both connections fresh at once, each first used by a transaction.
      await expect(Promise.all([1, 2].map((n) => db.transaction((tx) => tx.query("select $1::int as n", [n])))))
        .resolves.toEqual([[{ n: 1 }], [{ n: 2 }]]);
      expect(performance.now() - started).toBeLessThan(4_000); // well inside the reserve timeout
      // And the pool ends at once, not after close()'s 5 s timeout, even when a connection that was opening
      // for one of those transactions (and found it served by the other) finishes opening as it ends.
      const closing = performance.now();
      await db.close();
      expect(performance.now() - closing).toBeLessThan(2_000);
    } finally {
      await db.close();
    }
  });

  it("takes a list as one text parameter, the way the port documents", async () => {
    const db = createPostgresDb(REAL_DATABASE_URL!, { max: 1 });
    try {
      expect(await db.query("select count(*)::int as n from unnest(string_to_array($1, ',')) as k where k = any(string_to_array($2, ','))",
        ["a,b,c", "b,c,d"])).toEqual([{ n: 2 }]);
      // What the port warns about: with no array types known, a JS array is not sent as one.
      await expect(db.query("select $1::text[] as a", [["x", "y"]])).rejects.toThrow(/malformed array literal/);
    } finally {
      await db.close();
    }
  });
});

describe.runIf(REAL_DATABASE_URL)("postgres adapter behind a transaction pooler", () => {
  it("accepts ?pgbouncer=true (turning prepared statements off) without sending it to the server", async () => {
    const url = new URL(REAL_DATABASE_URL!);
    url.searchParams.set("pgbouncer", "true");
    const db = createPostgresDb(url.toString(), { max: 1 });
    try {
      await db.query("select $1::int as n", [1]);
      await db.transaction((tx) => tx.query("select 1"));
      // Named statements would be listed here; with prepare off postgres.js uses only the unnamed one.
      expect(await db.query("select name from pg_prepared_statements")).toEqual([]);
    } finally {
      await db.close();
    }
  });
});

describe("postgres adapter when the database cannot be reached", () => {
  it("throws DbUnavailableError (what webhooks turn into 503)", async () => {
    // Port 1 on loopback: nothing listens, the connection is refused at once.
    const db = createPostgresDb("postgres://postgres@127.0.0.1:1/none", { max: 1 });
    try {
      await expect(db.query("select 1")).rejects.toBeInstanceOf(DbUnavailableError);
      await expect(db.transaction((tx) => tx.query("select 1"))).rejects.toBeInstanceOf(DbUnavailableError);
    } finally {
      await db.close();
    }
  });
});
