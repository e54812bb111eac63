// The email-sender job on both adapters, against a SendGrid stand-in (msw). Each suite has a database of its
// own: the job claims whatever is due in the whole table, and must not see other suites' messages.
import { http, HttpResponse } from "msw";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { Services } from "../_shared/context.ts";
import type { Db, DbPool } from "../_shared/db/port.ts";
import { createPostgresDb } from "../_shared/db/postgres.ts";
import { enqueueEmailStatement, type EnqueueEmailInput } from "../_shared/domain/email/enqueue.ts";
import { claimDueEmails } from "../_shared/domain/email/claim.ts";
import { markEmailSent } from "../_shared/domain/email/outcome.ts";
import { sealEmailData } from "../_shared/domain/email/sealed-data.ts";
import { ADAPTERS, REAL_DATABASE_URL } from "../../tests/support/database.ts";
import { openIsolatedDatabase, openPrivateDatabase } from "../../tests/support/private-database.ts";
import { createSendGridApi, SENDGRID_EU, SENDGRID_GLOBAL } from "../../tests/support/sendgrid-api.ts";
import { recordingDb } from "../../tests/support/recording-db.ts";
import { jobRequest } from "../../tests/support/service-role.ts";
import { contextFor, testServices, type CapturedLogs } from "../../tests/support/services.ts";
import { configureIntegration, createTenant } from "../../tests/support/tenants.ts";
import { signToken } from "../../tests/support/tokens.ts";
import { handler } from "./handler.ts";
import { createEmailSender, type EmailSenderOptions } from "./send-due-emails.ts";

const sendgridApi = createSendGridApi([SENDGRID_GLOBAL, SENDGRID_EU]);
beforeAll(() => sendgridApi.listen());
afterEach(() => sendgridApi.reset());
afterAll(() => sendgridApi.close());

type TestServices = Services & { logs: CapturedLogs };
const apiKeyOf = () => `SG.${crypto.randomUUID().replaceAll("-", "").slice(0, 22)}.${crypto.randomUUID().replaceAll("-", "")}`;
const TEMPLATES = { welcome: "d-11111111", password_reset: "d-22222222", payment_confirmation: "d-33333333", contract_notification: "d-44444444", marketing: "d-55555555" };

interface MessageRow {
  [column: string]: unknown;
  id: string; status: string; attempts: number; last_error: string | null; provider_message_id: string | null;
  sent_at: Date | null; due_in_seconds: number;
}

describe.each(ADAPTERS)("email-sender on %s", (adapter) => {
  let isolated: { db: DbPool; close: () => Promise<void> };
  let db: Db;
  let services: TestServices;
  beforeAll(async () => {
    isolated = await openIsolatedDatabase(adapter, "email_sender");
    db = isolated.db;
    services = await testServices(db);
  });
  afterAll(async () => {
    await isolated.close();
  });
  afterEach(async () => {
    // Nothing a test left due may be sent by the next one.
    await db.query("update email_messages set status = 'dead' where status <> 'sent'");
  });

  async function sendgridTenant(options: { settings?: Record<string, unknown>; enabled?: boolean; apiKey?: string } = {}) {
    const tenantId = await createTenant(db);
    const apiKey = options.apiKey ?? apiKeyOf();
    await configureIntegration(services, tenantId, "sendgrid", { apiKey }, {
      enabled: options.enabled ?? true,
      settings: { fromEmail: "office@school.example", fromName: "Maple School", templates: TEMPLATES, ...options.settings },
    });
    return { tenantId, apiKey };
  }

  async function enqueue(tenantId: string, overrides: Partial<EnqueueEmailInput> = {}): Promise<string> {
    const dedupeKey = overrides.dedupeKey ?? crypto.randomUUID();
    const input: EnqueueEmailInput = {
      tenantId, kind: "payment_confirmation", to: { email: "parent@example.com", name: "Pat Parent" }, dedupeKey,
      data: { amount: 15000, currency: "usd" }, ...overrides,
    };
    const statement = enqueueEmailStatement(input);
    await db.query(statement.text, statement.values);
    const [row] = await db.query<{ id: string }>("select id from email_messages where tenant_id = $1 and dedupe_key = $2", [tenantId, dedupeKey]);
    return row!.id;
  }

  const messageOf = async (id: string) => (await db.query<MessageRow>(
    `select id, status, attempts, last_error, provider_message_id, sent_at,
            extract(epoch from next_attempt_at - now())::float8 as due_in_seconds
       from email_messages where id = $1`, [id]))[0]!;
  const makeDue = (id: string) => db.query("update email_messages set next_attempt_at = now() - interval '1 second' where id = $1", [id]);
  const run = (options: Partial<EmailSenderOptions> = {}, on: TestServices = services) => createEmailSender({ random: () => 0.5, ...options })(contextFor(on));
  const sendsTo = (messageId: string) => sendgridApi.callsTo("/v3/mail/send").filter((c) => c.body?.custom_args?.ips_message_id === messageId);

  describe("sending", () => {
    it("sends a due message with its template, data, sender, settings and our ids, then records it sent", async () => {
      const { tenantId, apiKey } = await sendgridTenant({ settings: { sandboxMode: false, openTracking: false } });
      const id = await enqueue(tenantId);

      expect(await run()).toEqual({ claimed: 1, sent: 1, failed: 0, dead: 0, deferred: 0, suppressed: 0 });

      const [call] = sendsTo(id);
      expect(call!.base).toBe(SENDGRID_GLOBAL);
      expect(call!.headers.get("authorization")).toBe(`Bearer ${apiKey}`);
      expect(call!.body).toEqual({
        personalizations: [{ to: [{ email: "parent@example.com", name: "Pat Parent" }], dynamic_template_data: { amount: 15000, currency: "usd" } }],
        from: { email: "office@school.example", name: "Maple School" },
        template_id: "d-33333333",
        categories: ["payment_confirmation"],
        custom_args: { ips_message_id: id, ips_tenant_id: tenantId },
        mail_settings: { sandbox_mode: { enable: false }, bypass_unsubscribe_management: { enable: true } },
        tracking_settings: { click_tracking: { enable: true, enable_text: true }, open_tracking: { enable: false } },
      });
      expect(await messageOf(id)).toMatchObject({ status: "sent", attempts: 1, last_error: null, provider_message_id: call!.messageId, sent_at: expect.any(Date) });
      // Sent once: the next run finds nothing.
      expect(await run()).toMatchObject({ claimed: 0, sent: 0 });
      expect(sendsTo(id)).toHaveLength(1);
    });

    it("sends marketing with the school's unsubscribe group, and to the EU host for dataResidency eu", async () => {
      const { tenantId } = await sendgridTenant({ settings: { unsubscribeGroupId: 777, dataResidency: "eu" } });
      const id = await enqueue(tenantId, { kind: "marketing", data: { headline: "Open day" } });
      await run();
      const [call] = sendsTo(id);
      expect(call).toMatchObject({ base: SENDGRID_EU, body: { asm: { group_id: 777 }, template_id: "d-55555555" } });
      expect((await messageOf(id)).status).toBe("sent");
    });

    it("records a sandbox send as sent, without a provider message id", async () => {
      const { tenantId } = await sendgridTenant({ settings: { sandboxMode: true } });
      const id = await enqueue(tenantId);
      await run();
      expect(sendsTo(id)[0]!.body!.mail_settings).toEqual({ sandbox_mode: { enable: true }, bypass_unsubscribe_management: { enable: true } });
      expect(await messageOf(id)).toMatchObject({ status: "sent", provider_message_id: null });
    });

    it("opens sealed data (enqueued by the platform's services) only to send it", async () => {
      const { tenantId } = await sendgridTenant();
      const sealed = await sealEmailData(services.vault, tenantId, { resetUrl: "https://app.example/reset?token=s3cr3t" });
      const id = await enqueue(tenantId, { kind: "password_reset", data: sealed });
      const [stored] = await db.query<{ data: string }>("select data::text as data from email_messages where id = $1", [id]);
      expect(stored!.data).not.toContain("s3cr3t");
      await run();
      expect(sendsTo(id)[0]!.body!.personalizations[0].dynamic_template_data).toEqual({ resetUrl: "https://app.example/reset?token=s3cr3t" });
      expect(services.logs.lines.join("\n")).not.toContain("s3cr3t");
    });

    it("leaves messages that are not due yet", async () => {
      const { tenantId } = await sendgridTenant();
      const id = await enqueue(tenantId);
      await db.query("update email_messages set next_attempt_at = now() + interval '5 minutes' where id = $1", [id]);
      expect(await run()).toMatchObject({ claimed: 0 });
      expect(sendsTo(id)).toEqual([]);
    });

    it("keeps claiming batches while they come back full", async () => {
      const { tenantId } = await sendgridTenant();
      const ids = await Promise.all(Array.from({ length: 7 }, () => enqueue(tenantId)));
      expect(await run({ batchSize: 3, concurrency: 2 })).toEqual({ claimed: 7, sent: 7, failed: 0, dead: 0, deferred: 0, suppressed: 0 });
      for (const id of ids) expect(sendsTo(id)).toHaveLength(1);
    });

    it("claims no further batch once its time budget is spent (the rest waits for the next run)", async () => {
      const { tenantId } = await sendgridTenant();
      await Promise.all(Array.from({ length: 4 }, () => enqueue(tenantId)));
      expect(await run({ batchSize: 2, timeBudgetMs: 0 })).toMatchObject({ claimed: 2, sent: 2 });
      expect(await run({ batchSize: 2 })).toMatchObject({ claimed: 2, sent: 2 });
    });
  });

  describe("failures", () => {
    it("records SendGrid's error and retries later with backoff, never logging the key", async () => {
      const { tenantId, apiKey } = await sendgridTenant();
      const id = await enqueue(tenantId);
      sendgridApi.fail("post", "/v3/mail/send", 503, [{ message: "service unavailable" }]);

      expect(await run()).toMatchObject({ claimed: 1, sent: 0, failed: 1 });
      const failed = await messageOf(id);
      expect(failed).toMatchObject({ status: "failed", attempts: 1, last_error: "SendGrid answered 503: service unavailable" });
      // Attempt 1 failed: 45 s with random() = 0.5 (between 30 and 60 s).
      expect(failed.due_in_seconds).toBeGreaterThan(40);
      expect(failed.due_in_seconds).toBeLessThanOrEqual(45);
      expect(await run()).toMatchObject({ claimed: 0 });

      sendgridApi.reset();
      await makeDue(id);
      expect(await run()).toMatchObject({ claimed: 1, sent: 1 });
      expect(await messageOf(id)).toMatchObject({ status: "sent", attempts: 2, last_error: null });
      expect(services.logs.lines.join("\n")).not.toContain(apiKey);
      expect(services.logs.lines.join("\n")).not.toContain("parent@example.com");
    });

    it("backs off exponentially and marks a message dead after the last attempt", async () => {
      const { tenantId } = await sendgridTenant();
      const id = await enqueue(tenantId);
      sendgridApi.fail("post", "/v3/mail/send", 500, [{ message: "boom" }]);
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 3; attempt++) {
        await makeDue(id);
        await run({ maxAttempts: 3 });
        delays.push((await messageOf(id)).due_in_seconds);
      }
      expect(delays[1]!).toBeGreaterThan(delays[0]! * 1.8);
      expect(await messageOf(id)).toMatchObject({ status: "dead", attempts: 3, last_error: "SendGrid answered 500: boom" });
      await makeDue(id);
      expect(await run({ maxAttempts: 3 })).toMatchObject({ claimed: 0 });
      expect(sendsTo(id)).toHaveLength(3);
      expect(services.logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toContainEqual(
        expect.objectContaining({ level: "error", msg: "email dead after its last attempt", messageId: id, code: "sendgrid_server_error" }),
      );
    });

    it.each([
      ["no template for the kind", { settings: { templates: { welcome: "d-1" } } }, "set templates.payment_confirmation in the SendGrid settings (a dynamic template id, d-…)"],
      ["no fromEmail", { settings: { fromEmail: undefined } }, "set fromEmail in the SendGrid settings (a verified sender)"],
      ["SendGrid disabled", { enabled: false }, "this school has not enabled its SendGrid integration"],
    ])("does not call SendGrid with %s, and says which setting to fix", async (_, setup, error) => {
      const { tenantId } = await sendgridTenant(setup);
      const id = await enqueue(tenantId);
      expect(await run()).toMatchObject({ claimed: 1, failed: 1 });
      expect(await messageOf(id)).toMatchObject({ status: "failed", last_error: error });
      expect(sendsTo(id)).toEqual([]);
    });

    it("does not send marketing without an unsubscribe group", async () => {
      const { tenantId } = await sendgridTenant();
      const id = await enqueue(tenantId, { kind: "marketing" });
      await run();
      expect(await messageOf(id)).toMatchObject({ status: "failed", last_error: expect.stringContaining("unsubscribeGroupId") });
      expect(sendsTo(id)).toEqual([]);
    });

    it("fails a message whose tenant has no SendGrid at all", async () => {
      const tenantId = await createTenant(db);
      const id = await enqueue(tenantId);
      await run();
      expect(await messageOf(id)).toMatchObject({ status: "failed", last_error: "this school has not enabled its SendGrid integration" });
    });

    it("on a 429 waits until SendGrid's reset and gives the tenant's other messages back uncounted; other tenants still send", async () => {
      const limited = await sendgridTenant();
      const other = await sendgridTenant();
      const first = await enqueue(limited.tenantId);
      const second = await enqueue(limited.tenantId);
      const third = await enqueue(other.tenantId);
      sendgridApi.server.use(http.post(`${SENDGRID_GLOBAL}/v3/mail/send`, async ({ request }) => {
        const body = (await request.clone().json()) as { custom_args: { ips_tenant_id: string } };
        if (body.custom_args.ips_tenant_id !== limited.tenantId) return undefined;
        sendgridApi.calls.push({ method: "POST", base: SENDGRID_GLOBAL, path: "/v3/mail/send", headers: request.headers, body });
        return HttpResponse.json({ errors: [{ message: "too many requests", field: null }] }, {
          status: 429, headers: { "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 600) },
        });
      }));

      expect(await run({ concurrency: 1 })).toEqual({ claimed: 3, sent: 1, failed: 1, dead: 0, deferred: 1, suppressed: 0 });
      const [a, b] = [await messageOf(first), await messageOf(second)];
      const [tried, deferred] = a.attempts === 1 ? [a, b] : [b, a];
      expect(tried).toMatchObject({ status: "failed", attempts: 1, last_error: "SendGrid answered 429: too many requests" });
      expect(tried.due_in_seconds).toBeGreaterThan(590);
      expect(deferred).toMatchObject({ status: "queued", attempts: 0 });
      expect(deferred.due_in_seconds).toBeGreaterThan(590);
      expect((await messageOf(third)).status).toBe("sent");
    });
  });

  describe("claims", () => {
    it("claims a message whose sender died (lease over) again, and the dead sender's late answer changes nothing", async () => {
      const { tenantId } = await sendgridTenant();
      const id = await enqueue(tenantId);
      // A sender claimed it (attempt 1) and died: its lease has run out.
      await db.query("update email_messages set status = 'sending', attempts = 1, next_attempt_at = now() - interval '1 second' where id = $1", [id]);
      expect(await run()).toMatchObject({ claimed: 1, sent: 1 });
      const sent = await messageOf(id);
      expect(sent).toMatchObject({ status: "sent", attempts: 2 });
      // The first sender comes back with its answer for attempt 1: fenced out.
      await markEmailSent(db, { id, attempt: 1 }, "late-provider-id");
      expect((await messageOf(id)).provider_message_id).toBe(sent.provider_message_id);
    });

    it("marks dead, without sending, a message whose last attempt's sender died", async () => {
      const { tenantId } = await sendgridTenant();
      const id = await enqueue(tenantId);
      await db.query("update email_messages set status = 'sending', attempts = 3, next_attempt_at = now() - interval '1 second' where id = $1", [id]);
      expect(await run({ maxAttempts: 3 })).toMatchObject({ claimed: 1, dead: 1 });
      expect(await messageOf(id)).toMatchObject({ status: "dead", last_error: expect.stringContaining("a sender stopped during the last attempt") });
      expect(sendsTo(id)).toEqual([]);
    });

    it("does not claim a message another sender holds under a live lease", async () => {
      const { tenantId } = await sendgridTenant();
      const id = await enqueue(tenantId);
      await db.query("update email_messages set status = 'sending', attempts = 1, next_attempt_at = now() + interval '5 minutes' where id = $1", [id]);
      expect(await run()).toMatchObject({ claimed: 0 });
    });
  });

  describe("tracking and suppressions", () => {
    const suppress = (tenantId: string, email: string, reason: string, scope: "all" | "marketing") => db.query(
      "insert into email_suppressions (tenant_id, email, reason, scope) values ($1, $2, $3, $4)", [tenantId, email, reason, scope]);

    it("sends password_reset with click and open tracking off though the school has both on", async () => {
      const { tenantId } = await sendgridTenant({ settings: { openTracking: true, clickTracking: true } });
      const reset = await enqueue(tenantId, { kind: "password_reset", data: { resetUrl: "https://school.example/reset?t=abc" } });
      const welcome = await enqueue(tenantId, { kind: "welcome" });
      await run();
      // The Mail Send body (twilio/sendgrid-oai tsg_mail_v3.json `tracking_settings`; PROVIDERS.md, SendGrid).
      expect(sendsTo(reset)[0]!.body).toMatchObject({
        template_id: "d-22222222",
        tracking_settings: { click_tracking: { enable: false, enable_text: false }, open_tracking: { enable: false } },
      });
      expect(sendsTo(welcome)[0]!.body!.tracking_settings).toEqual({ click_tracking: { enable: true, enable_text: true }, open_tracking: { enable: true } });
    });

    it("ends a message to a bounced address as suppressed without a send, whatever its kind or the address's case", async () => {
      const { tenantId } = await sendgridTenant();
      await suppress(tenantId, "gone@example.com", "bounce", "all");
      const ids = await Promise.all((["password_reset", "payment_confirmation", "marketing"] as const).map((kind) =>
        enqueue(tenantId, { kind, to: { email: "Gone@Example.com" } })));
      const other = await enqueue(tenantId, { to: { email: "here@example.com" } });

      expect(await run()).toEqual({ claimed: 4, sent: 1, failed: 0, dead: 0, deferred: 0, suppressed: 3 });

      for (const id of ids) {
        expect(sendsTo(id)).toEqual([]);
        expect(await messageOf(id)).toMatchObject({ status: "suppressed", sent_at: null, last_error: "not sent: the address is suppressed (bounce)" });
      }
      expect((await messageOf(other)).status).toBe("sent");
      // Suppressed is final: the next run claims none of them.
      expect(await run()).toMatchObject({ claimed: 0 });
    });

    it("still sends transactional kinds to an address that only unsubscribed from marketing", async () => {
      const { tenantId } = await sendgridTenant({ settings: { unsubscribeGroupId: 9 } });
      await suppress(tenantId, "optout@example.com", "group_unsubscribe", "marketing");
      const to = { email: "optout@example.com" };
      const transactional = await Promise.all((["password_reset", "payment_confirmation", "contract_notification"] as const).map((kind) =>
        enqueue(tenantId, { kind, to })));
      const marketing = await enqueue(tenantId, { kind: "marketing", to });
      const welcome = await enqueue(tenantId, { kind: "welcome", to });

      expect(await run()).toMatchObject({ claimed: 5, sent: 3, suppressed: 2 });

      for (const id of transactional) {
        expect(sendsTo(id)).toHaveLength(1);
        expect((await messageOf(id)).status).toBe("sent");
      }
      for (const id of [marketing, welcome]) {
        expect(sendsTo(id)).toEqual([]);
        expect((await messageOf(id)).status).toBe("suppressed");
      }
    });

    // An `unsubscribe` event is SendGrid's global list ("unsubscribe from all"), which SendGrid itself enforces
    // on every send: our list keeps such an address for marketing only, and the request for a transactional
    // kind must ask SendGrid to pass its global list too, else SendGrid drops the receipt ("Unsubscribed
    // Address"). Body as the Mail Send API takes it: `mail_settings.bypass_unsubscribe_management` (global
    // unsubscribes only; group unsubscribes, bounces and spam reports still apply) and never
    // `bypass_list_management` beside it (Mail Settings → Bypass, sendgrid/docs
    // `content/docs/ui/account-and-settings/mail.md`; twilio/sendgrid-oai `tsg_mail_v3.json`; sendgrid/docs#6549).
    it("asks SendGrid to deliver transactional kinds past its global unsubscribe list, and marketing not", async () => {
      const { tenantId } = await sendgridTenant({ settings: { unsubscribeGroupId: 9, templates: { ...TEMPLATES, payment_failed: "d-66666666" } } });
      await suppress(tenantId, "left@example.com", "unsubscribe", "marketing");
      const to = { email: "left@example.com" };
      const transactional = await Promise.all((["payment_confirmation", "contract_notification", "payment_failed"] as const).map((kind) =>
        enqueue(tenantId, { kind, to })));
      const marketing = await enqueue(tenantId, { kind: "marketing", to: { email: "subscribed@example.com" } });
      const welcome = await enqueue(tenantId, { kind: "welcome", to: { email: "subscribed@example.com" } });

      expect(await run()).toMatchObject({ claimed: 5, sent: 5, suppressed: 0 });

      for (const id of transactional) {
        const [call] = sendsTo(id);
        expect(call!.body).toMatchObject({ personalizations: [{ to: [{ email: "left@example.com" }] }] });
        expect(call!.body).not.toHaveProperty("asm");
        expect(call!.body!.mail_settings).toEqual({ sandbox_mode: { enable: false }, bypass_unsubscribe_management: { enable: true } });
      }
      expect(sendsTo(marketing)[0]!.body).toMatchObject({ asm: { group_id: 9 }, mail_settings: { sandbox_mode: { enable: false } } });
      for (const id of [marketing, welcome]) {
        expect(sendsTo(id)[0]!.body!.mail_settings).toEqual({ sandbox_mode: { enable: false } });
      }
    });

    it("keeps claiming while a full batch was all suppressed", async () => {
      const { tenantId } = await sendgridTenant();
      await suppress(tenantId, "gone@example.com", "bounce", "all");
      const gone = [await enqueue(tenantId, { to: { email: "gone@example.com" } }), await enqueue(tenantId, { to: { email: "gone@example.com" } })];
      const here = await enqueue(tenantId, { to: { email: "here@example.com" } });
      await db.query("update email_messages set next_attempt_at = now() - interval '1 minute' where id = any(string_to_array($1, ',')::uuid[])", [gone.join(",")]);

      expect(await run({ batchSize: 2 })).toEqual({ claimed: 3, sent: 1, failed: 0, dead: 0, deferred: 0, suppressed: 2 });
      for (const id of gone) expect(await messageOf(id)).toMatchObject({ status: "suppressed", attempts: 1 });
      expect((await messageOf(here)).status).toBe("sent");
    });

    it("checks suppressions in the claim: sending costs no statement per message beyond recording it sent", async () => {
      const { tenantId } = await sendgridTenant();
      await suppress(tenantId, "gone@example.com", "bounce", "all");
      const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => enqueue(tenantId, { to: { email: `family${i}@example.com` } })));
      const recorded = recordingDb(db);

      expect(await createEmailSender({ random: () => 0.5 })(contextFor({ ...services, db: recorded.db })))
        .toEqual({ claimed: 5, sent: 5, failed: 0, dead: 0, deferred: 0, suppressed: 0 });

      for (const id of ids) expect(sendsTo(id)).toHaveLength(1);
      // One claim (which reads the suppression list) and one "sent" per message; nothing else on the outbox.
      expect(recorded.texts.filter((text) => text.includes("email_suppressions"))).toHaveLength(1);
      expect(recorded.texts.filter((text) => text.includes("email_messages"))).toHaveLength(1 + ids.length);
    });

    it("suppresses only within the tenant whose list holds the address", async () => {
      const a = await sendgridTenant();
      const b = await sendgridTenant();
      await suppress(a.tenantId, "shared@example.com", "spamreport", "all");
      const fromA = await enqueue(a.tenantId, { to: { email: "shared@example.com" } });
      const fromB = await enqueue(b.tenantId, { to: { email: "shared@example.com" } });
      await run();
      expect((await messageOf(fromA)).status).toBe("suppressed");
      expect((await messageOf(fromB)).status).toBe("sent");
    });
  });

  describe("as a function (POST /api/jobs/email-sender)", () => {
    it("runs for a service_role key and answers the summary", async () => {
      const { tenantId } = await sendgridTenant();
      await enqueue(tenantId);
      const res = await handler(await jobRequest("/api/jobs/email-sender"), contextFor(services));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ claimed: 1, sent: 1 });
    });

    it("runs on the schedule without a token (trigger set only by the Lambda runtime)", async () => {
      const res = await handler(await jobRequest("/api/jobs/email-sender", null), { ...contextFor(services), trigger: "schedule" });
      expect(res.status).toBe(200);
    });

    it.each([
      ["no token", null, 401],
      ["a token signed with another secret", "other", 401],
      ["an admin's token", "admin", 403],
    ] as const)("refuses %s and sends nothing", async (_, token, status) => {
      const { tenantId } = await sendgridTenant();
      const id = await enqueue(tenantId);
      const bearer = token === null ? null
        : token === "admin" ? await signToken({ tenantId, role: "admin" })
          : await signToken({ tenantId, role: "service_role" }, "another-secret-that-is-at-least-32-characters");
      const res = await handler(await jobRequest("/api/jobs/email-sender", bearer), contextFor(services));
      expect(res.status).toBe(status);
      expect((await messageOf(id)).status).toBe("queued");
    });
  });
});

describe.runIf(REAL_DATABASE_URL)("email-sender: concurrent senders on PostgreSQL", () => {
  it("never hands one message to two claims, however many claim at once", { timeout: 60_000 }, async () => {
    const isolated = await openPrivateDatabase("email_claims");
    const pool = createPostgresDb(isolated.url, { max: 12 });
    try {
      const tenantId = await createTenant(isolated.db);
      await isolated.db.query(
        `insert into email_messages (tenant_id, kind, to_email, dedupe_key)
         select $1, 'welcome', 'user' || n || '@example.com', 'user-' || n from generate_series(1, 120) n`, [tenantId],
      );
      // Every tenth address bounced: the claim ends those as suppressed, and each once too.
      await isolated.db.query(
        `insert into email_suppressions (tenant_id, email, reason, scope)
         select $1, 'user' || n || '@example.com', 'bounce', 'all' from generate_series(10, 120, 10) n`, [tenantId],
      );
      // 12 claimers over 12 connections, each claiming 5 at a time until nothing is left: they race for the
      // same oldest rows. A row locked by another claim is skipped, so together they claim each row once.
      const ids: string[] = [];
      const suppressed: string[] = [];
      await Promise.all(Array.from({ length: 12 }, async () => {
        for (let batch = await claimDueEmails(pool, { limit: 5, leaseSeconds: 300 }); batch.toSend.length + batch.suppressed.length > 0;
          batch = await claimDueEmails(pool, { limit: 5, leaseSeconds: 300 })) {
          ids.push(...batch.toSend.map((c) => c.id));
          suppressed.push(...batch.suppressed.map((c) => c.id));
        }
      }));
      expect(ids).toHaveLength(108);
      expect(suppressed).toHaveLength(12);
      expect(new Set([...ids, ...suppressed]).size).toBe(120);
      expect(await isolated.db.query("select status, count(*)::int as n from email_messages group by status order by status"))
        .toEqual([{ status: "sending", n: 108 }, { status: "suppressed", n: 12 }]);
      expect(await isolated.db.query("select max(attempts) as max_attempts from email_messages")).toEqual([{ max_attempts: 1 }]);
    } finally {
      await pool.close();
      await isolated.drop();
    }
  });

  it("two senders never send one message twice", { timeout: 60_000 }, async () => {
    const isolated = await openPrivateDatabase("email_senders");
    // Two "Lambdas": separate pools, separate services, one database.
    const pools = [createPostgresDb(isolated.url, { max: 3 }), createPostgresDb(isolated.url, { max: 3 })];
    try {
      const first = await testServices(pools[0]!);
      const second = await testServices(pools[1]!);
      const tenantId = await createTenant(isolated.db);
      await configureIntegration(first, tenantId, "sendgrid", { apiKey: apiKeyOf() }, {
        settings: { fromEmail: "office@school.example", templates: TEMPLATES },
      });
      const count = 60;
      for (let i = 0; i < count; i++) {
        const statement = enqueueEmailStatement({ tenantId, kind: "welcome", to: { email: `s${i}@example.com` }, dedupeKey: `user-${i}`, data: {} });
        await isolated.db.query(statement.text, statement.values);
      }
      // SendGrid answers slowly, so both senders are mid-batch at the same time.
      sendgridApi.server.use(http.post(`${SENDGRID_GLOBAL}/v3/mail/send`, async ({ request }) => {
        const body = (await request.clone().json()) as Record<string, any>;
        await new Promise((resolve) => setTimeout(resolve, 15));
        sendgridApi.calls.push({ method: "POST", base: SENDGRID_GLOBAL, path: "/v3/mail/send", headers: request.headers, body });
        return new HttpResponse(null, { status: 202, headers: { "x-message-id": crypto.randomUUID() } });
      }));

      const options = { batchSize: 4, concurrency: 2, random: () => 0.5 };
      const [a, b] = await Promise.all([
        createEmailSender(options)(contextFor(first)),
        createEmailSender(options)(contextFor(second)),
      ]);

      const sentIds = sendgridApi.callsTo("/v3/mail/send").map((c) => c.body!.custom_args.ips_message_id as string);
      expect(sentIds).toHaveLength(count);
      expect(new Set(sentIds).size).toBe(count);
      const [sentByA, sentByB] = [a.sent as number, b.sent as number];
      expect(sentByA + sentByB).toBe(count);
      // Both did part of the work (otherwise the test proved nothing about concurrency).
      expect(sentByA).toBeGreaterThan(0);
      expect(sentByB).toBeGreaterThan(0);
      expect(await isolated.db.query("select status, count(*)::int as n, max(attempts) as max_attempts from email_messages group by status"))
        .toEqual([{ status: "sent", n: count, max_attempts: 1 }]);
    } finally {
      await Promise.all(pools.map((pool) => pool.close()));
      await isolated.drop();
    }
  });
});
