// The config page in a real browser (Debian's Chromium through playwright-core) against the dev server as
// `npm run dev` builds it, started in this process on PGlite or DATABASE_URL. Stripe's API is mocked with msw
// in this process, so the server's outbound "Test Connection" call is answered here and nothing leaves the
// machine. Screenshots go to docs/screenshots/ with UPDATE_SCREENSHOTS=1, else to a temporary folder.
import { setupServer } from "msw/node";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDevServer, type DevServer } from "../../functions/runtimes/node/dev-server.ts";
import { REAL_DATABASE_URL } from "../support/database.ts";
import { captureLogs, TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "../support/services.ts";
import { paymentIntent, stripeEvent, stripeSignature } from "../support/stripe.ts";
import { stripeBalanceApi } from "../support/stripe-balance.ts";
import { signToken } from "../support/tokens.ts";
import { launchChromium } from "./chromium.ts";

const SCREENSHOTS = process.env.UPDATE_SCREENSHOTS ? fileURLToPath(new URL("../../docs/screenshots/", import.meta.url)) : undefined;
const rand = (n = 24) => crypto.randomUUID().replaceAll("-", "").slice(0, n);

const secretKey = `sk_test_51Browser${rand(24)}`;
const publishableKey = `pk_test_51Browser${rand(24)}`;
const webhookSecret = `whsec_${rand(32)}`;
const SECRETS = [secretKey, publishableKey, webhookSecret];

const stripeApi = stripeBalanceApi({ validKeys: () => [secretKey] });
const msw = setupServer(...stripeApi.handlers);
const serverLogs = captureLogs();

let dataDir: string;
let screenshotDir: string;
let dev: DevServer;
let browser: Browser;

beforeAll(async () => {
  // Before the server builds its services, so their fetch is the intercepted one; loopback passes through.
  msw.listen({ onUnhandledRequest: "bypass" });
  dataDir = await mkdtemp(join(tmpdir(), "ips-browser-"));
  screenshotDir = SCREENSHOTS ?? dataDir;
  const env: NodeJS.ProcessEnv = {
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
    ...(REAL_DATABASE_URL ? { DATABASE_URL: REAL_DATABASE_URL } : {}),
  };
  [dev, browser] = await Promise.all([
    startDevServer({ env, dataDir, port: 0, hostname: "127.0.0.1", localTenantName: `Browser School ${rand(8)}`, log: serverLogs.logger }),
    launchChromium(),
  ]);
}, 60_000);

afterAll(async () => {
  // Whatever happened above, no secret reached the server's log lines.
  for (const secret of SECRETS) expect(serverLogs.lines.join("\n")).not.toContain(secret);
  await browser?.close();
  await dev?.stop();
  msw.close();
  await rm(dataDir, { recursive: true, force: true });
});

const pageUrl = () => `${dev.url}/admin/config/integrations`;

async function openPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  // Well inside the test's own timeout, so a step that never happens fails naming the step.
  page.setDefaultTimeout(10_000);
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  (page as Page & { errors: string[] }).errors = errors;
  return page;
}

async function signInAsLocalAdmin(page: Page) {
  await page.goto(pageUrl());
  await page.getByRole("button", { name: "Sign in as the local admin" }).click();
  await page.getByRole("tab", { name: "Stripe" }).waitFor();
}

const stripePanel = (page: Page) => page.getByRole("tabpanel", { name: "Stripe" });

describe("the config page in Chromium", () => {
  it("an admin signs in, tests Stripe credentials, enables and saves them, and sees them masked after a reload", async () => {
    const page = await openPage();
    await page.goto(pageUrl());
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    // Only what this server offers: the development sign-in, no Supabase form (not configured), no account bar.
    await page.getByRole("button", { name: "Sign in as the local admin" }).waitFor();
    expect(await page.getByLabel("Password").isVisible()).toBe(false);
    expect(await page.getByRole("button", { name: "Sign out" }).isVisible()).toBe(false);
    if (SCREENSHOTS) await page.screenshot({ path: join(screenshotDir, "sign-in.png") });
    await page.getByRole("button", { name: "Sign in as the local admin" }).click();

    const panel = stripePanel(page);
    await panel.getByLabel("Secret key", { exact: true }).fill(secretKey);
    await panel.getByLabel("Publishable key", { exact: true }).fill(publishableKey);
    await panel.getByLabel("Webhook signing secret", { exact: true }).fill(webhookSecret);
    await panel.getByLabel("Enrollment fee", { exact: true }).fill("15000");

    await panel.getByRole("button", { name: "Test Connection" }).click();
    await panel.getByText("Connection OK.").waitFor();
    expect(stripeApi.calls).toEqual([{ authorization: `Bearer ${secretKey}` }]);
    expect(await panel.getByText("Last test: passed").count()).toBe(1);

    await panel.getByRole("switch", { name: "Enabled" }).check();
    await panel.getByRole("button", { name: "Save Configuration" }).click();
    await panel.getByText("Saved.").waitFor();

    const [row] = await dev.db.query<{ is_enabled: boolean; settings: Record<string, unknown> }>(
      "select is_enabled, settings from integrations where tenant_id = $1 and integration_key = 'stripe'", [dev.tenantId]);
    expect(row).toMatchObject({ is_enabled: true, settings: { currency: "usd", enrollmentFeeAmount: 15_000 } });

    await page.reload();
    const reloaded = stripePanel(page);
    await reloaded.getByText("Enabled", { exact: true }).first().waitFor();
    const hint = await reloaded.getByText(/^Stored: /).first().textContent();
    expect(hint).toBe(`Stored: ••••${secretKey.slice(-4)} — leave blank to keep it. sk_test_… or sk_live_… (a restricted rk_… key works with Balance: read)`);
    expect(await reloaded.getByLabel("Secret key", { exact: true }).inputValue()).toBe("");
    expect(await reloaded.getByRole("switch", { name: "Enabled" }).isChecked()).toBe(true);
    expect(await reloaded.getByLabel("Stripe webhook URL for your school").inputValue()).toBe(`${dev.url}/api/webhooks/stripe/${dev.tenantId}`);
    await reloaded.getByText("Last test: passed").waitFor();
    // The fields enabling needs are marked, from the API's requiredToEnable (DESIGN.md, the enabling paragraph).
    expect(await reloaded.locator('[data-required-to-enable="true"] label').allTextContents()).toEqual(["Secret key", "Webhook signing secret"]);
    expect(await reloaded.getByLabel("Secret key", { exact: true }).getAttribute("aria-describedby")).toMatch(/-required /);
    expect(await page.locator('#panel-sendgrid [data-required-to-enable="true"] label').allTextContents()).toEqual(["API key", "From email"]);
    const html = await page.content();
    for (const secret of SECRETS) expect(html).not.toContain(secret);
    await page.screenshot({ path: join(screenshotDir, "integrations.png"), fullPage: true });
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.context().close();
  });

  it("another school's admin sees none of it", async () => {
    const otherTenant = (await dev.db.query<{ id: string }>("insert into tenants (name) values ($1) returning id", [`Other School ${rand(8)}`]))[0]!.id;
    const page = await openPage();
    await page.goto(pageUrl());
    await page.getByText("Use an access token instead").click();
    await page.getByLabel("Access token (a Supabase JWT)").fill(await signToken({ tenantId: otherTenant, role: "admin" }));
    await page.getByRole("button", { name: "Use this token" }).click();

    const panel = stripePanel(page);
    await panel.getByText("Not configured").waitFor();
    expect(await panel.getByText(/^Stored: /).count()).toBe(0);
    expect(await panel.getByLabel("Stripe webhook URL for your school").inputValue()).toBe(`${dev.url}/api/webhooks/stripe/${otherTenant}`);
    expect(await panel.getByText("Last test:").count()).toBe(0);
    await page.getByRole("link", { name: "Health" }).click();
    await page.getByRole("heading", { name: "Stripe", level: 3 }).waitFor();
    expect(await page.locator("#health-cards").textContent()).not.toMatch(/Last test\s*passed/);
    await page.getByRole("link", { name: "Events" }).click();
    await page.getByText("No events match these filters.").waitFor();
    const html = await page.content();
    expect(html).not.toContain(dev.tenantId);
    for (const secret of SECRETS) expect(html).not.toContain(secret);
    await page.context().close();
  });

  it("shows health and the events list, and replays a failed event", async () => {
    // One event Stripe delivers (signed with the secret saved above), one stored as failed for the retry job.
    const body = JSON.stringify(stripeEvent("payment_intent.processing", paymentIntent({ status: "processing" })));
    const delivered = await fetch(`${dev.url}/api/webhooks/stripe/${dev.tenantId}`, {
      method: "POST", headers: { "content-type": "application/json", "stripe-signature": stripeSignature(body, { secret: webhookSecret }) }, body,
    });
    expect(delivered.status).toBe(200);
    const failedEvent = stripeEvent("payment_intent.succeeded", paymentIntent({ amount: 15_000, status: "succeeded" }));
    const [failedRow] = await dev.db.query<{ id: string }>(
      `insert into webhook_events (tenant_id, source, event_type, external_id, payload, status, attempts, last_error, next_attempt_at)
       values ($1, 'stripe', $2, $3, $4::jsonb, 'failed', 2, 'Error: database restarted', now() + interval '5 minutes') returning id`,
      [dev.tenantId, failedEvent.type, failedEvent.id, JSON.stringify(failedEvent)]);

    const page = await openPage();
    await signInAsLocalAdmin(page);
    await page.getByRole("link", { name: "Health" }).click();
    const stripeCard = page.getByRole("article", { name: "Stripe" });
    await stripeCard.getByText("Needs attention").waitFor();
    expect(await stripeCard.getByText("Awaiting retry").locator("xpath=..").textContent()).toContain("1");
    await page.locator("#chart-summary").getByText(/2 events from/).waitFor();
    await page.screenshot({ path: join(screenshotDir, "health.png"), fullPage: true });

    await page.getByRole("link", { name: "Events" }).click();
    await page.getByText("2 events shown.").waitFor();
    await page.getByLabel("Status").selectOption("failed");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await page.getByText("1 event shown.").waitFor();
    await page.screenshot({ path: join(screenshotDir, "events.png"), fullPage: true });
    await page.getByRole("button", { name: `Replay ${failedEvent.type} ${failedEvent.id}` }).click();
    await page.getByText(`Replayed ${failedEvent.type}: processed.`).waitFor();

    const [event] = await dev.db.query<{ status: string }>("select status from webhook_events where id = $1", [failedRow!.id]);
    expect(event!.status).toBe("processed");
    expect(await dev.db.query("select amount, status from payments where tenant_id = $1 and stripe_payment_intent = $2", [dev.tenantId, failedEvent.data.object.id]))
      .toEqual([{ amount: 15_000, status: "succeeded" }]);
    expect((page as Page & { errors: string[] }).errors).toEqual([]);
    await page.context().close();
  });

  it("is keyboard usable (arrow keys move between integration tabs) and fits a phone's width", async () => {
    const page = await openPage({ width: 390, height: 844 });
    await signInAsLocalAdmin(page);
    await page.getByRole("tab", { name: "Stripe" }).focus();
    await page.keyboard.press("ArrowRight");
    expect(await page.getByRole("tab", { name: "DocuSign" }).getAttribute("aria-selected")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("tab-docusign");
    await page.keyboard.press("End");
    expect(await page.getByRole("tab", { name: "SendGrid" }).getAttribute("aria-selected")).toBe("true");
    await page.keyboard.press("Home");
    expect(await stripePanel(page).isVisible()).toBe(true);

    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: join(screenshotDir, "phone.png"), fullPage: true });
    await page.context().close();
  });
});
