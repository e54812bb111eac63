import type { Hono } from "hono";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { adminPageSecurityPolicy, type AdminPageAuthConfig } from "./admin-page-config.ts";

/**
 * `web/admin/`: the hosted config page, static HTML/CSS/JS. Assets live where their URL says
 * (`/admin/assets/app.js` is `web/admin/assets/app.js`), so a static host serves them as they are and only
 * maps the page's address (`/admin/config/integrations`) to `index.html` (CloudFront: infra/site-routes.ts).
 */
const ADMIN_DIR = fileURLToPath(new URL("../../../web/admin/", import.meta.url));

const CONTENT_TYPES: Record<string, string> = { js: "text/javascript; charset=utf-8", css: "text/css; charset=utf-8", svg: "image/svg+xml" };
// Only plain file names in the two asset folders: nothing else under web/ is reachable, and no `..`.
const ASSET = /^(assets|vendor)\/[a-z0-9-]+\.(js|css|svg)$/;

async function file(name: string, contentType: string, headers: Record<string, string>): Promise<Response> {
  return new Response(await readFile(`${ADMIN_DIR}${name}`), { headers: { "content-type": contentType, ...headers } });
}

/**
 * Serves the config page on the dev server: the page at `/admin/config/integrations`, its assets, and
 * `/admin/auth-config.json` (how the page signs in: Supabase's URL and anon key — both public — and whether
 * the development sign-in exists). Files are read per request, so an edit shows on reload.
 * @example mountAdminPage(app, { supabaseUrl: undefined, supabaseAnonKey: undefined, devSignIn: true });
 */
export function mountAdminPage(app: Hono, auth: AdminPageAuthConfig): void {
  const security = adminPageSecurityPolicy(auth.supabaseUrl);
  app.get("/admin/config/integrations", () => file("index.html", "text/html; charset=utf-8", { ...security, "cache-control": "no-store" }));
  app.get("/admin/config/integrations/", (c) => c.redirect("/admin/config/integrations", 301));
  app.get("/admin/auth-config.json", (c) => c.json(auth, 200, { "cache-control": "no-store" }));
  app.get("/admin/:folder{assets|vendor}/:name", async (c) => {
    const name = `${c.req.param("folder")}/${c.req.param("name")}`;
    if (!ASSET.test(name)) return c.notFound();
    try {
      return await file(name, CONTENT_TYPES[name.split(".").pop()!]!, { ...security, "cache-control": "no-cache" });
    } catch {
      return c.notFound();
    }
  });
}
