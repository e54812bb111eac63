import { describe, expect, it } from "vitest";
import { EMAIL_KINDS, TRANSACTIONAL_KINDS } from "../../domain/email/kinds.ts";
import { CATALOG, type Settings } from "../../integrations/catalog.ts";
import { mailSendBody, type OutgoingEmail } from "./mail-body.ts";
import { SendGridSetupError } from "./setup-error.ts";

const settings = (overrides: Record<string, unknown> = {}): Settings<"sendgrid"> => CATALOG.sendgrid.settings.parse({
  fromEmail: "office@school.example", fromName: "The School",
  templates: { welcome: "d-0001", payment_confirmation: "d-0002", marketing: "d-0005" },
  ...overrides,
});

const email = (overrides: Partial<OutgoingEmail> = {}): OutgoingEmail => ({
  id: "6f1c3b1e-8f5e-4c2a-9a57-1d2b3c4d5e6f", tenantId: "0b8e7a52-4a1f-4f43-8f0b-3c2d1e0f9a8b", kind: "payment_confirmation",
  to: { email: "parent@example.com", name: "Pat Parent" }, data: { amount: 15000, currency: "usd" }, ...overrides,
});

const codeOf = (fn: () => unknown) => {
  try {
    fn();
    return "built";
  } catch (error) {
    return error instanceof SendGridSetupError ? error.code : `unexpected ${String(error)}`;
  }
};

describe("mailSendBody", () => {
  it("uses the kind's dynamic template with the message's data, the sender, our ids and the defaults", () => {
    expect(mailSendBody(email(), settings())).toEqual({
      personalizations: [{ to: [{ email: "parent@example.com", name: "Pat Parent" }], dynamic_template_data: { amount: 15000, currency: "usd" } }],
      from: { email: "office@school.example", name: "The School" },
      template_id: "d-0002",
      categories: ["payment_confirmation"],
      custom_args: { ips_message_id: "6f1c3b1e-8f5e-4c2a-9a57-1d2b3c4d5e6f", ips_tenant_id: "0b8e7a52-4a1f-4f43-8f0b-3c2d1e0f9a8b" },
      mail_settings: { sandbox_mode: { enable: false }, bypass_unsubscribe_management: { enable: true } },
      tracking_settings: { click_tracking: { enable: true, enable_text: true }, open_tracking: { enable: true } },
    });
  });

  it("applies sandboxMode, openTracking and clickTracking as set, and leaves out absent names", () => {
    const body = mailSendBody(email({ to: { email: "a@example.com", name: null } }), settings({ sandboxMode: true, openTracking: false, clickTracking: false, fromName: undefined }));
    expect(body.mail_settings).toEqual({ sandbox_mode: { enable: true }, bypass_unsubscribe_management: { enable: true } });
    expect(body.tracking_settings).toEqual({ click_tracking: { enable: false, enable_text: false }, open_tracking: { enable: false } });
    expect(body.from).toEqual({ email: "office@school.example" });
    expect((body.personalizations as { to: unknown[] }[])[0]!.to).toEqual([{ email: "a@example.com" }]);
  });

  it("sends password_reset with click and open tracking off whatever the settings, other kinds as set", () => {
    const on = settings({ openTracking: true, clickTracking: true, templates: { password_reset: "d-0003", welcome: "d-0001" } });
    expect(mailSendBody(email({ kind: "password_reset" }), on).tracking_settings)
      .toEqual({ click_tracking: { enable: false, enable_text: false }, open_tracking: { enable: false } });
    expect(mailSendBody(email({ kind: "password_reset" }), on, { subject: "Test", text: "t" }).tracking_settings)
      .toEqual({ click_tracking: { enable: false, enable_text: false }, open_tracking: { enable: false } });
    expect(mailSendBody(email({ kind: "welcome" }), on).tracking_settings)
      .toEqual({ click_tracking: { enable: true, enable_text: true }, open_tracking: { enable: true } });
  });

  it("gives marketing emails the school's unsubscribe group (asm.group_id), and no other kind", () => {
    expect(mailSendBody(email({ kind: "marketing" }), settings({ unsubscribeGroupId: 4242 })).asm).toEqual({ group_id: 4242 });
    expect(mailSendBody(email({ kind: "welcome" }), settings({ unsubscribeGroupId: 4242 }))).not.toHaveProperty("asm");
  });

  // Mail Settings → Bypass (sendgrid/docs `content/docs/ui/account-and-settings/mail.md`; twilio/sendgrid-oai
  // `tsg_mail_v3.json` `mail_settings`): bypass_unsubscribe_management passes the global unsubscribe list only,
  // and bypass_list_management may not appear beside it, not even as false (sendgrid/docs#6549).
  it("lets transactional kinds past SendGrid's global unsubscribe list only; marketing and welcome honour it", () => {
    const all = settings({ unsubscribeGroupId: 4242, templates: Object.fromEntries(EMAIL_KINDS.map((kind) => [kind, "d-0009"])) });
    for (const kind of EMAIL_KINDS) {
      const mailSettings = mailSendBody(email({ kind }), all).mail_settings as Record<string, unknown>;
      expect(mailSettings, kind).toEqual(TRANSACTIONAL_KINDS.has(kind)
        ? { sandbox_mode: { enable: false }, bypass_unsubscribe_management: { enable: true } }
        : { sandbox_mode: { enable: false } });
      expect(mailSettings, kind).not.toHaveProperty("bypass_list_management");
    }
    expect([...TRANSACTIONAL_KINDS]).toEqual(expect.arrayContaining(["payment_confirmation", "contract_notification"]));
    expect(TRANSACTIONAL_KINDS.has("marketing")).toBe(false);
    // The admin's plain-text test of a transactional kind is sent the same way.
    expect(mailSendBody(email({ kind: "password_reset" }), all, { subject: "Test", text: "t" }).mail_settings)
      .toEqual({ sandbox_mode: { enable: false }, bypass_unsubscribe_management: { enable: true } });
  });

  it("sends plain text with a subject instead when asked (an admin's test without a template)", () => {
    const body = mailSendBody(email({ kind: "password_reset" }), settings(), { subject: "Test", text: "It works." });
    expect(body).not.toHaveProperty("template_id");
    expect(body.content).toEqual([{ type: "text/plain", value: "It works." }]);
    expect(body.personalizations).toEqual([{ to: [{ email: "parent@example.com", name: "Pat Parent" }], subject: "Test" }]);
  });

  it.each([
    ["no fromEmail", email(), settings({ fromEmail: undefined }), "ERR_SENDGRID_NO_FROM_EMAIL"],
    ["no template for the kind", email({ kind: "contract_notification" }), settings(), "ERR_SENDGRID_NO_TEMPLATE"],
    ["no templates at all", email(), settings({ templates: undefined }), "ERR_SENDGRID_NO_TEMPLATE"],
    ["a marketing email without unsubscribeGroupId", email({ kind: "marketing" }), settings(), "ERR_SENDGRID_NO_UNSUBSCRIBE_GROUP"],
  ])("refuses to build with %s, naming the setting", (_, message, config, code) => {
    expect(codeOf(() => mailSendBody(message, config))).toBe(code);
  });

  it("validates the new settings: unsubscribeGroupId a positive integer, dataResidency global|eu (default global)", () => {
    expect(settings().dataResidency).toBe("global");
    expect(CATALOG.sendgrid.settings.safeParse({ dataResidency: "us" }).success).toBe(false);
    expect(CATALOG.sendgrid.settings.safeParse({ unsubscribeGroupId: 0 }).success).toBe(false);
    expect(CATALOG.sendgrid.settings.safeParse({ unsubscribeGroupId: 1.5 }).success).toBe(false);
    expect(CATALOG.sendgrid.settings.safeParse({ unsubscribeGroupId: 12, dataResidency: "eu" }).success).toBe(true);
  });
});
