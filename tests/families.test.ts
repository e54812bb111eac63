// Families (DESIGN.md "Families"): two families of one school and a second school, over real HTTP through
// every enrollment-scoped route of the manifest. Another family's, another school's or a role-only user's
// request for an enrollment is a 404 with no data and no Stripe call; the enrollment's members and the
// school's admins get through. The route list comes from the manifest, so a new enrollment route is
// covered (and must be built with enrollmentHandler) without editing this file.
import { serve, type ServerType } from "@hono/node-server";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Handler } from "../functions/_shared/context.ts";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { isEnrollmentScoped } from "../functions/_shared/http/enrollment-handler.ts";
import { FUNCTIONS, type FunctionDefinition } from "../functions/manifest.ts";
import { createApp } from "../functions/runtimes/node/app.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { memberToken } from "./support/families.ts";
import { createStripeSchool, tuitionSubscription } from "./support/payments.ts";
import { testServices } from "./support/services.ts";
import { createStripeApi } from "./support/stripe-api.ts";
import { createEnrollment, createTenant } from "./support/tenants.ts";
import { adminToken, signToken } from "./support/tokens.ts";

/** A route acts for one enrollment when its path names one, or when it lives under these prefixes. */
const ENROLLMENT_PATH = /\{enrollmentId\}|^\/api\/(checkout|billing|enrollments)\//;

/** User functions that act for no enrollment, and why. Anything else a signed-in user reaches must be guarded. */
const NOT_ENROLLMENT_SCOPED: Record<string, string> = {
  "zoom-sdk-signature": "a school's classes (meetings) are open to every signed-in user of the school",
};

const enrollmentRoutes = FUNCTIONS.filter((fn) => fn.auth === "user")
  .flatMap((fn) => fn.routes.filter((route) => ENROLLMENT_PATH.test(route.path)).map((route) => ({ slug: fn.slug, ...route })));

/** The request a browser would send to `route` for `enrollmentId`: in the path when the route has it, else as `{ enrollmentId }`. */
function requestFor(route: { method: string; path: string }, enrollmentId: string, token: string): [string, RequestInit] {
  const inPath = /\{(enrollmentId|id)\}/.test(route.path);
  const path = route.path.replace(/\{(enrollmentId|id)\}/, enrollmentId);
  const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
  return [path, { method: route.method, headers, ...(inPath || route.method === "GET" ? {} : { body: JSON.stringify({ enrollmentId }) }) }];
}

describe("the enrollment guard covers every enrollment route", () => {
  it("the manifest has the enrollment routes DESIGN.md names", () => {
    expect(enrollmentRoutes.map((r) => `${r.method} ${r.path}`)).toEqual(expect.arrayContaining([
      "POST /api/checkout/enrollment-fee", "POST /api/checkout/tuition", "POST /api/billing/portal",
      "GET /api/checkout/enrollments/{enrollmentId}",
    ]));
  });

  it.each(FUNCTIONS.filter((fn) => fn.auth === "user").map((fn) => [fn.slug, fn] as const))(
    "user function %s is built with enrollmentHandler, or listed as acting for no enrollment",
    async (slug: string, fn: FunctionDefinition) => {
      const { handler } = (await import(`../functions/${slug}/handler.ts`)) as { handler: Handler };
      const scoped = fn.routes.some((route) => ENROLLMENT_PATH.test(route.path));
      if (scoped || !(slug in NOT_ENROLLMENT_SCOPED)) expect(isEnrollmentScoped(handler), slug).toBe(true);
      else expect(isEnrollmentScoped(handler), slug).toBe(false);
    },
  );
});

const stripeApi = createStripeApi();
beforeAll(() => stripeApi.listen());
afterEach(() => stripeApi.reset());
afterAll(() => stripeApi.close());

describe.each(ADAPTERS)("two families of one school, over HTTP on %s", (adapter) => {
  let db: DbPool;
  let server: ServerType;
  let baseUrl: string;
  let school: Awaited<ReturnType<typeof createStripeSchool>>;
  let familyB: string;
  const send = (route: { method: string; path: string }, enrollmentId: string, token: string) => {
    const [path, init] = requestFor(route, enrollmentId, token);
    return fetch(`${baseUrl}${path}`, init);
  };

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    const services = await testServices(db);
    school = await createStripeSchool(services, { currency: "eur", enrollmentFeeAmount: 15_000, tuitionPriceId: "price_1Tuition" });
    await db.query("update enrollments set student_name = 'Ada Family-A' where id = $1", [school.enrollmentId]);
    // Family A has a Stripe customer (an old, canceled subscription): the Billing Portal has something to open.
    await tuitionSubscription(services, school.tenantId, school.enrollmentId, "canceled", "cus_FamilyA");
    familyB = await createEnrollment(db, school.tenantId, "Bo Family-B");
    server = serve({ fetch: (await createApp(services, FUNCTIONS)).fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.close();
  });

  it("another family, a role without membership, and another school get 404 on every route: no data, no Stripe call", async () => {
    const otherTenant = await createTenant(db);
    const callers = {
      "family B's guardian": await memberToken(db, school.tenantId, familyB, "guardian"),
      "family B's student": await memberToken(db, school.tenantId, familyB, "student"),
      "a teacher of the school": await signToken({ tenantId: school.tenantId, role: "teacher" }),
      "a student role without membership": await signToken({ tenantId: school.tenantId, role: "student" }),
      "another school's admin": await adminToken(otherTenant),
      "another school's member": await memberToken(db, otherTenant, await createEnrollment(db, otherTenant)),
    };

    for (const route of enrollmentRoutes) {
      for (const [who, token] of Object.entries(callers)) {
        const res = await send(route, school.enrollmentId, token);
        const text = await res.text();
        expect(res.status, `${who}: ${route.method} ${route.path}`).toBe(404);
        expect(JSON.parse(text), `${who}: ${route.method} ${route.path}`).toMatchObject({ title: "Enrollment not found", code: "ERR_ENROLLMENT_NOT_FOUND" });
        expect(text).not.toMatch(/Ada|Family-A|cus_FamilyA|checkout\.stripe\.com|billing\.stripe\.com/);
      }
    }
    expect(stripeApi.calls).toEqual([]);
    expect(await db.query("select 1 from checkout_sessions where enrollment_id = $1", [school.enrollmentId])).toEqual([]);
  });

  it.each(["guardian", "student", "admin"] as const)("family A's %s gets through every route", async (who) => {
    const token = who === "admin" ? await adminToken(school.tenantId) : await memberToken(db, school.tenantId, school.enrollmentId, who);

    for (const route of enrollmentRoutes) {
      const res = await send(route, school.enrollmentId, token);
      const body = await res.json() as Record<string, any>;
      if (route.slug === "docusign-signing-url") {
        // Through the guard; no contract was sent to this enrollment (signing itself: functions/docusign-signing-url).
        expect([res.status, body.code], `${route.method} ${route.path}`).toEqual([409, "ERR_CONTRACT_NOT_OUT"]);
        continue;
      }
      expect(res.status, `${route.method} ${route.path}: ${JSON.stringify(body)}`).toBe(200);
      if (route.method === "GET") expect(body.enrollment).toEqual({ id: school.enrollmentId, studentName: "Ada Family-A" });
      else expect(body.url).toMatch(/^https:\/\/(checkout|billing)\.stripe\.com\//);
    }
    const portal = stripeApi.callsTo("/v1/billing_portal/sessions", "POST");
    expect(portal.map((call) => call.form.customer)).toEqual(["cus_FamilyA"]);
  });

  it("a member of family B acts for family B's enrollment only", async () => {
    const token = await memberToken(db, school.tenantId, familyB, "guardian");
    const due = enrollmentRoutes.find((r) => r.method === "GET")!;

    const own = await send(due, familyB, token);
    const theirs = await send(due, school.enrollmentId, token);

    expect(own.status).toBe(200);
    expect(((await own.json()) as Record<string, any>).enrollment.studentName).toBe("Bo Family-B");
    expect(theirs.status).toBe(404);
  });

  it("a removed member loses access at once", async () => {
    const sub = crypto.randomUUID();
    await db.query(
      "insert into enrollment_members (tenant_id, enrollment_id, user_id, relation) values ($1, $2, $3, 'guardian')", [school.tenantId, familyB, sub],
    );
    const token = await signToken({ sub, tenantId: school.tenantId });
    const due = enrollmentRoutes.find((r) => r.method === "GET")!;

    const before = await send(due, familyB, token);
    await db.query("delete from enrollment_members where enrollment_id = $1 and user_id = $2", [familyB, sub]);
    const after = await send(due, familyB, token);

    expect(before.status).toBe(200);
    expect(after.status).toBe(404);
  });
});
