// Every admin list's date filter goes through one parser (functions/_shared/http/date-param.ts): years
// 1970–9998 only, else 400 naming the parameter — `?to=9999-12-31` used to reach PostgreSQL as year 10000 (500).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { handler as adminPayments } from "../functions/admin-payments/handler.ts";
import { handler as adminWebhookEvents } from "../functions/admin-webhook-events/handler.ts";
import { callHandler } from "./support/admin-request.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { testServices } from "./support/services.ts";
import { createTenant } from "./support/tenants.ts";
import { adminToken } from "./support/tokens.ts";

const OUT_OF_RANGE = "must be between 1970-01-01 and 9998-12-31";
const NOT_A_DATE = "must be a date (2026-01-31) or an ISO 8601 date-time with offset";

// Each list and its date parameters; the handler answers the path it is called on.
const LISTS = [
  { path: "/api/admin/payments", handler: adminPayments, params: ["from", "to"] },
  { path: "/api/admin/subscriptions", handler: adminPayments, params: ["from", "to"] },
  { path: "/api/admin/webhook-events", handler: adminWebhookEvents, params: ["before"] },
] as const;

const CASES = LISTS.flatMap((list) => list.params.map((param) => ({ ...list, param })));

describe.each(ADAPTERS)("admin list date filters on %s", (adapter) => {
  let db: DbPool;
  beforeAll(async () => {
    db = await openTestDatabase(adapter);
  });
  afterAll(async () => {
    await db?.close();
  });

  async function get(list: (typeof CASES)[number], query: string) {
    const tenantId = await createTenant(db);
    return callHandler(list.handler, await testServices(db), { method: "GET", path: `${list.path}?${query}`, token: await adminToken(tenantId) });
  }

  describe.each(CASES)("GET $path ?$param=", (list) => {
    it.each([
      ["9999-12-31", OUT_OF_RANGE],
      ["1969-12-31", OUT_OF_RANGE],
      ["9999-01-01T00:00:00Z", OUT_OF_RANGE],
      ["not-a-date", NOT_A_DATE],
      ["2026-13-01", NOT_A_DATE],
      ["1e400", NOT_A_DATE],
    ])("%s → 400 naming the parameter", async (value, message) => {
      const answer = await get(list, `${list.param}=${encodeURIComponent(value)}`);
      expect(answer.status, answer.text).toBe(400);
      expect(answer.json.errors).toEqual({ [list.param]: [message] });
    });

    it.each(["1970-01-01", "9998-12-31", "2026-01-31T10:00:00+02:00"])("%s → 200 (the years allowed, to their edges)", async (value) => {
      const answer = await get(list, `${list.param}=${encodeURIComponent(value)}`);
      expect(answer.status, answer.text).toBe(200);
    });
  });
});
