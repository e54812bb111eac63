// The outbox insert, gated like an event effect: enqueued once per (tenant, kind, dedupe key), and only when
// the gate holds. Runs on PGlite and the real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADAPTERS, openTestDatabase } from "../../../../tests/support/database.ts";
import { createTenant } from "../../../../tests/support/tenants.ts";
import type { DbPool } from "../../db/port.ts";
import { sql, type Statement } from "../../db/sql.ts";
import { enqueueEmailStatement, type EnqueueEmailInput } from "./enqueue.ts";

describe.each(ADAPTERS)("enqueueEmailStatement on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db.close();
  });

  const run = (statement: Statement) => db.query(statement.text, statement.values);
  const messagesOf = (tenantId: string) => db.query<Record<string, unknown>>(
    "select kind, to_email, to_name, data, dedupe_key, status, attempts, sent_at from email_messages where tenant_id = $1 order by created_at",
    [tenantId],
  );
  const input = (tenantId: string, overrides: Partial<EnqueueEmailInput> = {}): EnqueueEmailInput => ({
    tenantId, kind: "payment_confirmation", to: { email: " parent@example.com ", name: "Pat Parent" },
    dedupeKey: "pi_123", data: { amount: 15000, currency: "usd" }, ...overrides,
  });

  it("queues a message due now, with its data as JSON and the address trimmed", async () => {
    const tenantId = await createTenant(db);
    await run(enqueueEmailStatement(input(tenantId), sql`true`));
    expect(await messagesOf(tenantId)).toEqual([{
      kind: "payment_confirmation", to_email: "parent@example.com", to_name: "Pat Parent",
      data: { amount: 15000, currency: "usd" }, dedupe_key: "pi_123", status: "queued", attempts: 0, sent_at: null,
    }]);
    const [due] = await db.query<{ due: boolean }>("select next_attempt_at <= now() as due from email_messages where tenant_id = $1", [tenantId]);
    expect(due!.due).toBe(true);
  });

  it("enqueues the same (kind, dedupe key) once, and the same key of another kind or tenant separately", async () => {
    const tenantId = await createTenant(db);
    const otherTenant = await createTenant(db);
    await run(enqueueEmailStatement(input(tenantId)));
    await run(enqueueEmailStatement(input(tenantId, { data: { amount: 1 } })));
    await run(enqueueEmailStatement(input(tenantId, { kind: "welcome" })));
    await run(enqueueEmailStatement(input(otherTenant)));
    const rows = await messagesOf(tenantId);
    expect(rows.map((r) => r.kind)).toEqual(["payment_confirmation", "welcome"]);
    // The first enqueue wins: a redelivered event never rewrites a message.
    expect(rows[0]!.data).toEqual({ amount: 15000, currency: "usd" });
    expect(await messagesOf(otherTenant)).toHaveLength(1);
  });

  it("inserts nothing when the gate does not hold", async () => {
    const tenantId = await createTenant(db);
    await run(enqueueEmailStatement(input(tenantId), sql`false`));
    await run(enqueueEmailStatement(input(tenantId), sql`exists (select 1 from tenants where id = ${crypto.randomUUID()})`));
    expect(await messagesOf(tenantId)).toEqual([]);
  });

  it("stores a missing name as null and refuses a kind the table does not know", async () => {
    const tenantId = await createTenant(db);
    await run(enqueueEmailStatement(input(tenantId, { to: { email: "a@example.com", name: "  " } })));
    expect((await messagesOf(tenantId))[0]!.to_name).toBeNull();
    await expect(run(enqueueEmailStatement(input(tenantId, { kind: "newsletter" as never })))).rejects.toThrow();
  });
});
