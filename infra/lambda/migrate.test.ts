import { describe, expect, it } from "vitest";
import { createPgliteDb } from "../../functions/_shared/db/pglite.ts";
import { DbUnavailableError, type DbPool } from "../../functions/_shared/db/port.ts";
import { loadMigrations } from "../../functions/runtimes/node/migrations.ts";
import { applyMigrations } from "./migrate.ts";

describe("applyMigrations (the migrate Lambda)", () => {
  it("applies every migration once; a second deploy applies nothing", async () => {
    const db = await createPgliteDb();
    const kept: DbPool = { ...db, close: async () => {} };
    try {
      const migrations = await loadMigrations();
      const lines: Record<string, unknown>[] = [];
      const first = await applyMigrations({ openDb: () => kept, migrations, retryUntil: Date.now(), log: (l) => lines.push(l) });
      expect(first).toEqual(migrations.map((m) => m.name).sort());
      expect(await applyMigrations({ openDb: () => kept, migrations, retryUntil: Date.now(), log: () => {} })).toEqual([]);
      expect(lines[0]).toMatchObject({ level: "info", msg: "migrations applied", fn: "migrate" });
      expect(await db.query("select count(*)::int as n from tenants")).toEqual([{ n: 0 }]);
    } finally {
      await db.close();
    }
  });

  it("retries while the database is unreachable, then gives up at the deadline", async () => {
    let clock = 0;
    const sleeps: number[] = [];
    const unreachable = (): DbPool => ({
      kind: "postgres",
      query: async () => { throw new DbUnavailableError("database unavailable: ECONNREFUSED"); },
      transaction: async () => { throw new DbUnavailableError("database unavailable: ECONNREFUSED"); },
      execScript: async () => {},
      close: async () => {},
    });
    const error = await applyMigrations({
      openDb: unreachable, migrations: [], retryUntil: 30_000, now: () => clock,
      sleep: async (ms) => { sleeps.push(ms); clock += ms; }, log: () => {},
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DbUnavailableError);
    expect(sleeps).toEqual([2_000, 4_000, 8_000, 16_000]);
  });

  it("does not retry a failing migration", async () => {
    const db = await createPgliteDb();
    let opened = 0;
    try {
      const error = await applyMigrations({
        openDb: () => { opened++; return { ...db, close: async () => {} }; },
        migrations: [{ name: "20990101000000_broken.sql", sql: "create tabel nope ();" }],
        retryUntil: Date.now() + 60_000, log: () => {},
      }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(opened).toBe(1);
    } finally {
      await db.close();
    }
  });
});
