// The student payment page as a browser gets it from the dev server's app: the pages, their assets and
// headers, and the API the page calls, over real HTTP next to the existing routes.
import { serve, type ServerType } from "@hono/node-server";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { Script, createContext, runInContext } from "node:vm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { FUNCTIONS } from "../functions/manifest.ts";
import { createApp } from "../functions/runtimes/node/app.ts";
import { ADAPTERS, openTestDatabase } from "./support/database.ts";
import { memberToken } from "./support/families.ts";
import { createStripeSchool } from "./support/payments.ts";
import { createStripeApi } from "./support/stripe-api.ts";
import { testServices } from "./support/services.ts";
import { createEnrollment, createTenant } from "./support/tenants.ts";
import { adminToken } from "./support/tokens.ts";

/** Just enough of a DOM element for pay.js: what it reads and sets, and click listeners. */
class FakeElement {
  textContent = "";
  disabled = false;
  href = "";
  focused = false;
  private readonly listeners: Array<() => Promise<void> | void> = [];
  constructor(readonly id: string, public hidden: boolean) {}
  addEventListener(_type: "click", listener: () => Promise<void> | void) {
    this.listeners.push(listener);
  }
  focus() {
    this.focused = true;
  }
  async click() {
    await Promise.all(this.listeners.map((listener) => listener()));
  }
}

/**
 * Runs web/pay/assets/pay.js as a browser would on `html` at `url`, with fetch going to the real server. Returns
 * the page's elements by id, where it navigated, and its session storage.
 */
async function runPage(html: string, url: string, baseUrl: string, storage = new Map<string, string>()) {
  const elements = new Map<string, FakeElement>();
  for (const match of html.matchAll(/<(\w+)[^>]*\bid="([\w-]+)"([^>]*)>/g)) {
    elements.set(match[2]!, new FakeElement(match[2]!, /\bhidden\b/.test(match[0])));
  }
  const location = new URL(url);
  const assigned: string[] = [];
  let inflight = 0;
  /** Resolves once the page has no request in flight (its render after the answer has run). */
  const settled = async () => {
    await new Promise((r) => setTimeout(r, 5));
    for (let i = 0; i < 200 && inflight > 0; i++) await new Promise((r) => setTimeout(r, 10));
  };
  const window = {
    document: { getElementById: (id: string) => elements.get(id) ?? null, body: { dataset: { page: /data-page="(\w+)"/.exec(html)![1] } }, createElement: () => new FakeElement("", true) },
    location: { get href() { return location.href; }, get pathname() { return location.pathname; }, assign: (to: string) => assigned.push(to) },
    history: { replaceState: (_state: unknown, _title: string, to: string) => { const next = new URL(to, location); location.href = next.href; } },
    sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) },
    fetch: async (path: string, init: RequestInit) => {
      inflight++;
      try {
        return await fetch(new URL(path, baseUrl), init);
      } finally {
        setTimeout(() => inflight--, 10); // after the page has read the body and rendered
      }
    },
    URL, URLSearchParams, Intl, Date, JSON, Error, Promise, encodeURIComponent, decodeURIComponent, console,
  };
  const context = createContext(window);
  runInContext(await readFile(new URL("../web/pay/assets/pay.js", import.meta.url), "utf8"), context);
  await settled();
  const el = (id: string) => elements.get(id)!;
  return { el, assigned, location, storage, click: async (id: string) => { await el(id).click(); await settled(); } };
}

const stripeApi = createStripeApi();
beforeAll(() => stripeApi.listen());
afterEach(() => stripeApi.reset());
afterAll(() => stripeApi.close());

describe.each(ADAPTERS)("student payment page over HTTP on %s", (adapter) => {
  let db: DbPool;
  let server: ServerType;
  let baseUrl: string;
  let school: Awaited<ReturnType<typeof createStripeSchool>>;

  beforeAll(async () => {
    db = await openTestDatabase(adapter);
    const services = await testServices(db);
    school = await createStripeSchool(services, { currency: "eur", enrollmentFeeAmount: 15_000 });
    server = serve({ fetch: (await createApp(services, FUNCTIONS)).fetch, port: 0, hostname: "127.0.0.1" });
    await new Promise<void>((resolve) => server.once("listening", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await db.close();
  });

  it.each([
    ["", "Pay for your enrollment", 'data-page="pay"'],
    ["/", "Pay for your enrollment", 'data-page="pay"'],
    ["/success", "Thank you", 'data-page="success"'],
    ["/cancel", "Payment cancelled", 'data-page="cancel"'],
  ])("serves /pay/{enrollmentId}%s as an accessible HTML page with strict headers", async (suffix, heading, marker) => {
    const res = await fetch(`${baseUrl}/pay/${school.enrollmentId}${suffix}`);

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(res.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>\s*<html lang="en">/);
    expect(html).toContain(`<h1>${heading}`);
    expect(html).toContain(marker);
    expect(html).toContain('<main id="main"');
    expect(html).toContain('role="status" aria-live="polite"');
    expect(html).toContain('<script src="/pay/assets/pay.js" defer></script>');
    expect(html).not.toMatch(/<script>|style="/); // nothing inline: the CSP allows only files from this origin
  });

  it("serves the page's script and stylesheet; the script parses as a classic script", async () => {
    const js = await fetch(`${baseUrl}/pay/assets/pay.js`);
    const css = await fetch(`${baseUrl}/pay/assets/pay.css`);

    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("x-content-type-options")).toBe("nosniff");
    const source = await js.text();
    expect(source).toBe(await readFile(new URL("../web/pay/assets/pay.js", import.meta.url), "utf8"));
    expect(() => new Script(source)).not.toThrow();
    expect(source).toContain("/api/checkout/enrollments/");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
  });

  it("answers 404 (problem JSON) for a page that is not an enrollment's or an unknown asset", async () => {
    for (const path of ["/pay/not-an-id", "/pay/assets/secrets.json", `/pay/${school.enrollmentId}/elsewhere`, "/pay/assets/../../package.json"]) {
      const res = await fetch(`${baseUrl}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type"), path).toContain("application/problem+json");
    }
  });

  it("the page takes the token from the URL fragment once, shows what is due, and sends the student to Stripe Checkout", async () => {
    const student = await memberToken(db, school.tenantId, school.enrollmentId, "student");
    const html = await (await fetch(`${baseUrl}/pay/${school.enrollmentId}`)).text();

    const page = await runPage(html, `${baseUrl}/pay/${school.enrollmentId}#token=${student}`, baseUrl);

    expect(page.location.hash).toBe("");
    expect(page.location.href).toBe(`${baseUrl}/pay/${school.enrollmentId}`);
    expect(page.storage.get("ips.accessToken")).toBe(student);
    expect(page.el("error").hidden).toBe(true);
    expect(page.el("fee").hidden).toBe(false);
    expect(page.el("fee-text").textContent).toMatch(/^Due: .*150[.,]00/);
    expect(page.el("fee-pay").hidden).toBe(false);
    expect(page.el("tuition").hidden).toBe(true);
    expect(page.el("portal").hidden).toBe(true);

    await page.click("fee-pay");

    expect(page.assigned).toEqual([expect.stringMatching(/^https:\/\/checkout\.stripe\.com\/c\/pay\/cs_test_/)]);
    expect(stripeApi.callsTo("/v1/checkout/sessions")[0]!.form["metadata[enrollment_id]"]).toBe(school.enrollmentId);
  });

  it("takes a Supabase sign-in redirect's #access_token=… and clears the whole fragment (refresh token too)", async () => {
    const guardian = await memberToken(db, school.tenantId, school.enrollmentId, "guardian");
    const html = await (await fetch(`${baseUrl}/pay/${school.enrollmentId}`)).text();

    const page = await runPage(html, `${baseUrl}/pay/${school.enrollmentId}#access_token=${guardian}&refresh_token=r1&token_type=bearer`, baseUrl);

    expect(page.location.hash).toBe("");
    expect(page.storage.get("ips.accessToken")).toBe(guardian);
    expect(page.el("error").hidden).toBe(true);
    expect(page.el("fee-pay").hidden).toBe(false);
  });

  it("never uses a token from the query string, and removes it from the address bar", async () => {
    const student = await memberToken(db, school.tenantId, school.enrollmentId, "student");
    const html = await (await fetch(`${baseUrl}/pay/${school.enrollmentId}`)).text();

    const page = await runPage(html, `${baseUrl}/pay/${school.enrollmentId}?token=${student}`, baseUrl);

    expect(page.location.search).toBe("");
    expect(page.storage.has("ips.accessToken")).toBe(false);
    expect(page.el("error").textContent).toContain("sign in");
    expect(page.el("fee").hidden).toBe(true);
  });

  it("the page says what went wrong: no token, another family's or another school's enrollment — and Stripe is not called", async () => {
    const html = await (await fetch(`${baseUrl}/pay/${school.enrollmentId}`)).text();
    const signedOut = await runPage(html, `${baseUrl}/pay/${school.enrollmentId}`, baseUrl);
    const otherFamily = await memberToken(db, school.tenantId, await createEnrollment(db, school.tenantId, "Bo Other"));
    const family = await runPage(html, `${baseUrl}/pay/${school.enrollmentId}#token=${otherFamily}`, baseUrl);
    const otherTenant = await createTenant(db);
    const otherSchool = await memberToken(db, otherTenant, await createEnrollment(db, otherTenant));
    const foreign = await runPage(html, `${baseUrl}/pay/${school.enrollmentId}#token=${otherSchool}`, baseUrl);
    await family.click("fee-pay"); // the button stays hidden; even a forced click opens nothing

    expect(signedOut.el("error").hidden).toBe(false);
    expect(signedOut.el("error").textContent).toContain("sign in");
    for (const page of [family, foreign]) {
      expect(page.el("error").textContent).toBe("This enrollment was not found for your account.");
      expect(page.el("fee").hidden).toBe(true);
      expect(page.el("student").hidden).toBe(true);
      expect(page.assigned).toEqual([]);
    }
    expect(stripeApi.calls).toHaveLength(0);
  });

  it("the API the page calls answers over HTTP next to the existing routes", async () => {
    const student = await memberToken(db, school.tenantId, school.enrollmentId, "student");

    const due = await fetch(`${baseUrl}/api/checkout/enrollments/${school.enrollmentId}`, { headers: { authorization: `Bearer ${student}` } });
    const admin = await fetch(`${baseUrl}/api/admin/integrations`, { headers: { authorization: `Bearer ${await adminToken(school.tenantId)}` } });
    const anonymous = await fetch(`${baseUrl}/api/checkout/enrollment-fee`, { method: "POST", body: "{}" });

    expect(due.status).toBe(200);
    expect(due.headers.get("x-request-id")).toBeTruthy();
    expect(await due.json()).toMatchObject({ enrollmentFee: { status: "due", amount: 15_000, currency: "eur" } });
    expect(admin.status).toBe(200);
    expect(anonymous.status).toBe(401);
  });
});
