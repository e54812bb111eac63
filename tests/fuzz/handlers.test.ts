// Every webhook function in the manifest, whole (body limit, tenant lookup, verification, storage), under
// random and mutated requests: never a 5xx, never an exception, and no mutated request is stored.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../../functions/_shared/db/port.ts";
import type { IntegrationKey } from "../../functions/_shared/integrations/catalog.ts";
import { FUNCTIONS } from "../../functions/manifest.ts";
import { loadHandler } from "../../functions/runtimes/node/app.ts";
import { openTestDatabase } from "../support/database.ts";
import { contextFor, testServices } from "../support/services.ts";
import { configureIntegration, createTenant } from "../support/tenants.ts";
import { SCHEMES, type SignedRequest } from "./schemes.ts";

const HANDLER_RUNS = Math.max(100, Math.floor(Number(process.env.FUZZ_RUNS ?? (process.env.CI ? 10_000 : 1_000)) / 20));
const WEBHOOKS = FUNCTIONS.filter((fn) => fn.auth === "signature");

let db: DbPool;
beforeAll(async () => {
  db = await openTestDatabase();
});
afterAll(() => db?.close());

it("has a fuzz scheme for every webhook function in the manifest", () => {
  const missing = WEBHOOKS.map((fn) => fn.slug.replace(/-webhook$/, "")).filter((source) => !SCHEMES.some((s) => s.name === source));
  expect(missing, "add a Scheme in tests/fuzz/schemes.ts for each new webhook").toEqual([]);
});

describe.each(SCHEMES)("$name webhook handler under fuzzing", (scheme) => {
  const slug = `${scheme.name}-webhook`;

  async function setup() {
    const services = await testServices(db);
    const tenantId = await createTenant(db);
    await configureIntegration(services, tenantId, scheme.name as IntegrationKey, scheme.credentials);
    const handler = await loadHandler(slug);
    const send = async (request: SignedRequest, params: Record<string, string | undefined> = { tenantId }) => {
      const req = new Request(`http://localhost/api/webhooks/${scheme.name}/${params.tenantId ?? ""}`, {
        method: "POST", headers: request.headers, body: request.body as BodyInit,
      });
      return handler(req, contextFor(services, params));
    };
    const stored = async () => (await db.query<{ n: number }>("select count(*)::int as n from webhook_events where tenant_id = $1", [tenantId]))[0]!.n;
    return { send, stored };
  }

  it(`answers random requests below 500 and stores nothing (${HANDLER_RUNS} cases)`, async () => {
    const { send, stored } = await setup();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 4096 }),
        fc.array(fc.tuple(fc.constantFrom(...scheme.headerNames, "content-type", "content-length"), fc.string({ maxLength: 120 })), { maxLength: 4 }),
        fc.oneof(fc.constant(undefined), fc.uuid(), fc.string({ maxLength: 40 })),
        async (body, headerPairs, tenantOverride) => {
          const headers = new Headers();
          for (const [name, value] of headerPairs) {
            try {
              headers.set(name, value);
            } catch {
              // Not a valid header value: no HTTP client could send it either.
            }
          }
          const response = await send({ body, headers }, tenantOverride === undefined ? undefined : { tenantId: tenantOverride });
          expect(response.status).toBeLessThan(500);
        },
      ),
      { numRuns: HANDLER_RUNS },
    );
    expect(await stored()).toBe(0);
  });

  it(`answers every mutation of a valid request 401 and stores it never (${HANDLER_RUNS} cases)`, async () => {
    const { send, stored } = await setup();
    const valid = scheme.valid();
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.integer({ min: 0, max: 7 }), fc.boolean(), async (position, bit, inSignature) => {
        const mutated = inSignature
          ? scheme.corruptSignature(valid, position)
          : { body: valid.body.map((b, i) => (i === position % valid.body.length ? b ^ (1 << bit) : b)), headers: valid.headers };
        expect((await send(mutated)).status).toBe(401);
      }),
      { numRuns: HANDLER_RUNS },
    );
    expect(await stored()).toBe(0);
    // The unmutated request is stored: the suite did test a working endpoint.
    expect((await send(valid)).status).toBe(200);
    expect(await stored()).toBe(1);
  });
});
