import type { ConnectionTester } from "../connection-test.ts";
import { sendgridApiBase } from "./api-base.ts";
import { SendGridError } from "./errors.ts";
import { sendgridRequest } from "./request.ts";

/**
 * SendGrid's connection test: `GET /v3/scopes` with the key (PROVIDERS.md), on the host the `dataResidency`
 * setting picks. Passes only when the key may send mail (`mail.send`); never reports the key.
 */
export const testSendGridConnection: ConnectionTester = async ({ credentials, settings, ctx }) => {
  const apiKey = credentials.apiKey;
  if (typeof apiKey !== "string" || !apiKey) return { ok: false, error: "no API key is saved or given", code: "missing_api_key" };
  const apiBase = sendgridApiBase(ctx.config.providerBases.sendgridApi, settings.dataResidency);
  const apiHost = new URL(apiBase).host;
  try {
    const res = await sendgridRequest({ apiKey, apiBase, fetch: ctx.fetch, now: ctx.now }, "GET", "/v3/scopes");
    const body = (await res.json().catch(() => ({}))) as { scopes?: unknown };
    const scopes = Array.isArray(body.scopes) ? body.scopes.filter((s): s is string => typeof s === "string") : [];
    const mailSendGranted = scopes.includes("mail.send");
    if (!mailSendGranted) {
      return {
        ok: false, code: "missing_scope", details: { mailSendGranted, apiHost },
        error: "the API key may not send mail: give it the 'Mail Send' permission in SendGrid",
      };
    }
    return { ok: true, details: { mailSendGranted, apiHost, scopeCount: scopes.length } };
  } catch (error) {
    if (!(error instanceof SendGridError)) throw error;
    if (error.code === "sendgrid_unauthorized") return { ok: false, code: error.code, error: "SendGrid rejected the API key (invalid or revoked)", details: { apiHost } };
    if (error.code === "sendgrid_unreachable") return { ok: false, code: error.code, error: `SendGrid could not be reached at ${apiHost}`, details: { apiHost } };
    return { ok: false, code: error.code, error: error.message, details: { apiHost } };
  }
};
