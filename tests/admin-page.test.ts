// The config page as the dev server serves it (web/admin), its sign-in configuration, the development
// sign-in, and the vendored Supabase client.
import { Hono } from "hono";
import { jwtVerify } from "jose";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbPool } from "../functions/_shared/db/port.ts";
import { FUNCTIONS } from "../functions/manifest.ts";
import { createApp } from "../functions/runtimes/node/app.ts";
import { startDevServer } from "../functions/runtimes/node/dev-server.ts";
import { mountDevSignIn } from "../functions/runtimes/node/dev-sign-in.ts";
import { installedSupabaseVersion, vendorBanner, VENDOR_FILE } from "../scripts/vendor-supabase.ts";
import { openTestDatabase, REAL_DATABASE_URL } from "./support/database.ts";
import { captureLogs, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET, testServices } from "./support/services.ts";

describe("the config page on the dev server", () => {
  let db: DbPool;
  let app: Hono;
  beforeAll(async () => {
    db = await openTestDatabase();
    app = await createApp(await testServices(db), FUNCTIONS);
  });
  afterAll(async () => {
    await db?.close();
  });
  const get = (path: string) => app.fetch(new Request(`http://localhost${path}`));

  it("serves the page at /admin/config/integrations with a strict Content-Security-Policy", async () => {
    const res = await get("/admin/config/integrations");

    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    const html = await res.text();
    expect(html).toContain('<script type="module" src="/admin/assets/app.js"></script>');
    // No inline script or style for the CSP to refuse.
    expect(html).not.toMatch(/<script(?![^>]*src=)[^>]*>|<style|style="/);
  });

  it.each([
    ["/admin/assets/app.js", "text/javascript; charset=utf-8"],
    ["/admin/assets/admin.css", "text/css; charset=utf-8"],
    ["/admin/vendor/supabase.js", "text/javascript; charset=utf-8"],
  ])("serves %s as %s", async (path, type) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe(type);
  });

  it.each([
    "/admin/assets/missing.js", "/admin/assets/..%2F..%2F..%2Fpackage.json", "/admin/assets/app.ts", "/admin/index.html", "/admin/page-config.ts",
  ])("answers 404 to %s", async (path) => {
    expect((await get(path)).status).toBe(404);
  });

  it("tells the page how to sign in: Supabase only with a URL and an anon key, no dev sign-in outside npm run dev", async () => {
    expect(await (await get("/admin/auth-config.json")).json()).toEqual({ supabaseUrl: null, supabaseAnonKey: null, devSignIn: false });
    expect((await get("/api/dev/token")).status).toBe(404);

    const services = await testServices(db, { configOverrides: { SUPABASE_URL: "https://abcd.supabase.co" } });
    const configured = await createApp(services, FUNCTIONS, { adminPage: { supabaseUrl: "https://abcd.supabase.co", supabaseAnonKey: "anon-public-key", devSignIn: false } });
    const page = await configured.fetch(new Request("http://localhost/admin/config/integrations"));
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self' https://abcd.supabase.co;");
    expect(await (await configured.fetch(new Request("http://localhost/admin/auth-config.json"))).json())
      .toEqual({ supabaseUrl: "https://abcd.supabase.co", supabaseAnonKey: "anon-public-key", devSignIn: false });
  });

  it("refuses the development sign-in to a request that did not come from this machine's loopback", async () => {
    const bare = new Hono();
    mountDevSignIn(bare, { jwtSecret: TEST_JWT_SECRET, tenantId: crypto.randomUUID() });
    expect((await bare.fetch(new Request("http://localhost/api/dev/token", { headers: { "x-forwarded-for": "127.0.0.1" } }))).status).toBe(403);
  });
});

describe("npm run dev's development sign-in", () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "ips-dev-sign-in-"));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it("hands a browser on this machine an admin token for the local tenant, and says so in auth-config.json", async () => {
    const dev = await startDevServer({
      env: { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET, ...(REAL_DATABASE_URL ? { DATABASE_URL: REAL_DATABASE_URL } : {}) },
      dataDir, port: 0, hostname: "127.0.0.1", localTenantName: `Dev School ${crypto.randomUUID()}`, log: captureLogs().logger,
    });
    try {
      const base = `http://127.0.0.1:${dev.port}`;
      expect(await (await fetch(`${base}/admin/auth-config.json`)).json()).toEqual({ supabaseUrl: null, supabaseAnonKey: null, devSignIn: true });
      const res = await fetch(`${base}/api/dev/token`);
      expect(res.status).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-store");
      const { accessToken, tenantId } = (await res.json()) as { accessToken: string; tenantId: string };
      expect(tenantId).toBe(dev.tenantId);
      const { payload } = await jwtVerify(accessToken, new TextEncoder().encode(TEST_JWT_SECRET));
      expect(payload).toMatchObject({ sub: "local-admin", app_metadata: { tenant_id: dev.tenantId, role: "admin" } });
      const integrations = await fetch(`${base}/api/admin/integrations`, { headers: { authorization: `Bearer ${accessToken}` } });
      expect(integrations.status).toBe(200);
    } finally {
      await dev.stop();
    }
  });
});

describe("web/admin/vendor/supabase.js", () => {
  it("is the installed @supabase/supabase-js, bundled (run `npm run vendor:supabase` after an upgrade)", async () => {
    const text = await readFile(VENDOR_FILE, "utf8");
    expect(text.split("\n")[0]).toBe(vendorBanner(await installedSupabaseVersion()));
    // A self-contained module: it exports createClient and imports nothing the browser would have to resolve.
    expect(/export\s*\{[^}]*\bcreateClient\s*\}/.test(text)).toBe(true);
    expect(/(^|[;}\n])import\s*[{*\w]/.test(text)).toBe(false);
  });
});
