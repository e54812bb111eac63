import type { Hono } from "hono";
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

/**
 * `web/pay/`: the student payment page, static HTML/CSS/JS. Assets live where their URL says
 * (`/pay/assets/pay.js` is `web/pay/assets/pay.js`), so a static host serves them as they are and only needs
 * to map the page paths (`/pay/{enrollmentId}[/success|/cancel]`) to `index.html`, `success.html`, `cancel.html`.
 */
const PAY_DIR = fileURLToPath(new URL("../../../web/pay/", import.meta.url));

const UUID_PARAM = ":enrollmentId{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}}";
const PAGES: Record<string, string> = { "": "index.html", "/": "index.html", "/success": "success.html", "/cancel": "cancel.html" };
const ASSETS: Record<string, string> = { "pay.js": "text/javascript; charset=utf-8", "pay.css": "text/css; charset=utf-8" };

// The page only talks to this origin; no inline script or style, no framing. No referrer: the page takes its
// token from the URL fragment (never sent anyway), and nothing else in its address may leave with a request.
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
};

async function file(name: string, contentType: string, cacheControl: string): Promise<Response> {
  return new Response(await readFile(`${PAY_DIR}${name}`), {
    headers: { "content-type": contentType, "cache-control": cacheControl, ...SECURITY_HEADERS },
  });
}

/**
 * Serves the student payment page on the dev server: `/pay/{enrollmentId}` (+ `/success`, `/cancel`, the
 * pages Stripe Checkout returns to) and its assets under `/pay/assets/`. Files are read per request, so an
 * edit shows on reload. Other paths under /pay fall through to the 404 answer.
 * @example mountStudentPages(app);
 */
export function mountStudentPages(app: Hono): void {
  for (const [name, contentType] of Object.entries(ASSETS)) {
    app.get(`/pay/assets/${name}`, () => file(`assets/${name}`, contentType, "no-cache"));
  }
  for (const [suffix, name] of Object.entries(PAGES)) {
    app.get(`/pay/${UUID_PARAM}${suffix}`, () => file(name, "text/html; charset=utf-8", "no-store"));
  }
}
