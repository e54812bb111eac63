// The database-per-stage logic of the shared preview cluster, against the real PostgreSQL (CREATE/DROP
// DATABASE need a server: PGlite is one database), and the CloudFormation answer over real HTTP.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresDb } from "../../functions/_shared/db/postgres.ts";
import { REAL_DATABASE_URL } from "../../tests/support/database.ts";
import { applyMigrations } from "./migrate.ts";
import { loadMigrations } from "../../functions/runtimes/node/migrations.ts";
import {
  dropDatabase, ensureDatabase, ensureStageDatabase, handler, onStageDatabaseEvent, splitDatabaseUrl, stageDatabaseName,
  type StageDatabaseEvent,
} from "./stage-database.ts";

const event = (over: Partial<StageDatabaseEvent>): StageDatabaseEvent => ({
  RequestType: "Create", ResponseURL: "http://127.0.0.1:9/unused", StackId: "arn:aws:cloudformation:us-east-1:123456789012:stack/s/1",
  RequestId: "req-1", LogicalResourceId: "StageDatabase", ResourceProperties: {}, ...over,
});

describe("stage database names", () => {
  it("is ips_<stage> with underscores, and refuses what is not a stage", () => {
    expect(stageDatabaseName("feature-refunds")).toBe("ips_feature_refunds");
    expect(stageDatabaseName("feature-a-very-lo-1a2b3c")).toBe("ips_feature_a_very_lo_1a2b3c");
    expect(() => stageDatabaseName("Prod")).toThrow(/cannot name a database/);
    expect(() => stageDatabaseName('x"; drop database ips; --')).toThrow(/cannot name a database/);
  });

  it("splits a URL into the maintenance database (same server and options) and the stage's", () => {
    const { maintenanceUrl, database } = splitDatabaseUrl("postgres://u:p%40ss@proxy.example:5432/ips_feature_x?sslmode=verify-full");
    expect(database).toBe("ips_feature_x");
    expect(maintenanceUrl).toBe("postgres://u:p%40ss@proxy.example:5432/postgres?sslmode=verify-full");
  });

  it("Create and Update only name the database; Delete never drops what is not a stage database", async () => {
    const open = () => { throw new Error("no connection expected"); };
    expect(await onStageDatabaseEvent(event({ ResourceProperties: { DatabaseName: "ips_feature_x" } }), "postgres://x/ips", open)).toBe("ips_feature_x");
    await expect(onStageDatabaseEvent(event({ ResourceProperties: { DatabaseName: "postgres" } }), "postgres://x/ips", open)).rejects.toThrow(/not a stage database/);
    // A Delete of anything else (a failed Create's rollback names its logical id) drops nothing and succeeds.
    expect(await onStageDatabaseEvent(event({ RequestType: "Delete", PhysicalResourceId: "ips" }), "postgres://x/ips", open)).toBe("ips");
    expect(await onStageDatabaseEvent(event({ RequestType: "Delete", PhysicalResourceId: "StageDatabase" }), "postgres://x/ips", open)).toBe("StageDatabase");
  });
});

describe("the Custom::StageDatabase answer to CloudFormation", () => {
  const received: { method?: string; body: Record<string, string> }[] = [];
  const server = createServer((req, res) => {
    let text = "";
    req.on("data", (chunk) => (text += chunk));
    req.on("end", () => { received.push({ method: req.method, body: JSON.parse(text) }); res.end(); });
  });
  const listening = new Promise<string>((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/presigned`)));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("PUTs SUCCESS with the database as physical id, and FAILED with a reason but never the URL", async () => {
    const url = await listening;
    const saved = process.env.DATABASE_URL;
    try {
      process.env.DATABASE_URL = "postgres://admin:s3cret-pass@127.0.0.1:1/ips_feature_x";
      await handler(event({ ResponseURL: url, ResourceProperties: { DatabaseName: "ips_feature_x" } }));
      await handler(event({ ResponseURL: url, RequestType: "Delete", PhysicalResourceId: "ips_feature_x" }));
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
    expect(received[0]).toEqual({
      method: "PUT",
      body: { Status: "SUCCESS", Reason: "ok", PhysicalResourceId: "ips_feature_x", StackId: expect.any(String), RequestId: "req-1", LogicalResourceId: "StageDatabase" },
    });
    expect(received[1]!.body).toMatchObject({ Status: "FAILED", PhysicalResourceId: "ips_feature_x" });
    expect(JSON.stringify(received[1])).not.toContain("s3cret-pass");
  }, 30_000);
});

describe.runIf(REAL_DATABASE_URL)("create with migrate, drop with the stage (real PostgreSQL)", () => {
  const name = stageDatabaseName(`t-${crypto.randomUUID().slice(0, 8)}`);
  const stageUrl = () => {
    const url = new URL(REAL_DATABASE_URL!);
    url.pathname = `/${name}`;
    return url.toString();
  };
  const admin = () => createPostgresDb(splitDatabaseUrl(stageUrl()).maintenanceUrl, { max: 1 });
  const exists = async () => {
    const db = admin();
    try {
      return (await db.query("select 1 from pg_database where datname = $1", [name])).length === 1;
    } finally {
      await db.close();
    }
  };
  afterAll(async () => {
    const db = admin();
    await db.execScript(`drop database if exists "${name}" with (force)`).finally(() => db.close());
  });

  it("creates the stage's database once, migrates into it, and a redeploy changes nothing", async () => {
    expect(await ensureStageDatabase(stageUrl())).toBe(true);
    expect(await ensureStageDatabase(stageUrl())).toBe(false);
    const migrations = await loadMigrations();
    const openDb = () => createPostgresDb(stageUrl(), { max: 1 });
    expect(await applyMigrations({ openDb, migrations, retryUntil: Date.now(), log: () => {} })).toHaveLength(migrations.length);
    expect(await applyMigrations({ openDb, migrations, retryUntil: Date.now(), log: () => {} })).toEqual([]);
  });

  it("two deploys racing both succeed, one creating", async () => {
    const db = admin();
    try {
      await dropDatabase(db, name);
      const results = await Promise.all([ensureDatabase(db, name), ensureStageDatabase(stageUrl())]);
      expect(results.filter(Boolean)).toHaveLength(1);
    } finally {
      await db.close();
    }
  });

  it("removing the stage drops its database even with a connection open, and a second removal is a no-op", async () => {
    const stageDb = createPostgresDb(stageUrl(), { max: 1 });
    await stageDb.query("select 1");
    try {
      const url = stageUrl();
      expect(await onStageDatabaseEvent(event({ RequestType: "Delete", PhysicalResourceId: name }), url)).toBe(name);
      expect(await exists()).toBe(false);
      expect(await onStageDatabaseEvent(event({ RequestType: "Delete", PhysicalResourceId: name }), url)).toBe(name);
    } finally {
      await stageDb.close().catch(() => {});
    }
  });
});
