import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, openTestDatabase } from "../../../tests/support/database.ts";
import { createTenant } from "../../../tests/support/tenants.ts";
import type { Db, DbPool } from "../db/port.ts";
import { KNOWN_TENANTS_MAX, requireKnownTenant } from "./known-tenants.ts";
import { AuthError } from "./principal.ts";

/** The real database, counting the tenant lookups made through it (a fresh Db object: a fresh cache). */
function countingTenantLookups(db: Db): { db: Db; lookups: () => number } {
  let lookups = 0;
  return {
    db: {
      query: (text, params) => {
        if (/from tenants/.test(text)) lookups++;
        return db.query(text, params);
      },
      transaction: (work) => db.transaction(work),
      execScript: (script) => db.execScript(script),
    },
    lookups: () => lookups,
  };
}

describe.each(ADAPTERS)("requireKnownTenant on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  it("refuses a tenant that does not exist with 403 ERR_AUTH_TENANT", async () => {
    const error = await requireKnownTenant(db, crypto.randomUUID()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error).toMatchObject({ status: 403, code: "ERR_AUTH_TENANT" });
  });

  it("looks an existing tenant up once per instance, then remembers it", async () => {
    const counted = countingTenantLookups(db);
    const tenantId = await createTenant(db);
    for (let i = 0; i < 5; i++) await requireKnownTenant(counted.db, tenantId);
    expect(counted.lookups()).toBe(1);
  });

  it("asks again for a tenant it did not find, so a school created a moment later is let in", async () => {
    const counted = countingTenantLookups(db);
    const [{ id }] = (await db.query<{ id: string }>("select gen_random_uuid()::text as id")) as [{ id: string }];
    await expect(requireKnownTenant(counted.db, id)).rejects.toMatchObject({ code: "ERR_AUTH_TENANT" });
    await expect(requireKnownTenant(counted.db, id)).rejects.toMatchObject({ code: "ERR_AUTH_TENANT" });
    await db.query("insert into tenants (id, name) values ($1, $2)", [id, `Late School ${id}`]);
    await requireKnownTenant(counted.db, id);
    await requireKnownTenant(counted.db, id);
    expect(counted.lookups()).toBe(3); // two misses, one hit, then remembered
  });

  it(`remembers at most ${KNOWN_TENANTS_MAX} tenants, forgetting the oldest first`, async () => {
    const counted = countingTenantLookups(db);
    const rows = await db.query<{ id: string }>(
      "insert into tenants (name) select 'Bounded School ' || gen_random_uuid() from generate_series(1, $1::int) returning id",
      [KNOWN_TENANTS_MAX + 1],
    );
    for (const { id } of rows) await requireKnownTenant(counted.db, id);
    expect(counted.lookups()).toBe(KNOWN_TENANTS_MAX + 1);
    await requireKnownTenant(counted.db, rows[rows.length - 1]!.id); // the newest: still remembered
    expect(counted.lookups()).toBe(KNOWN_TENANTS_MAX + 1);
    await requireKnownTenant(counted.db, rows[0]!.id); // the oldest: forgotten, looked up again
    expect(counted.lookups()).toBe(KNOWN_TENANTS_MAX + 2);
  });

  it("keeps one memory per database: a tenant known in one is looked up in another", async () => {
    const tenantId = await createTenant(db);
    await requireKnownTenant(db, tenantId);
    const other = countingTenantLookups(db);
    await requireKnownTenant(other.db, tenantId);
    expect(other.lookups()).toBe(1);
  });
});
