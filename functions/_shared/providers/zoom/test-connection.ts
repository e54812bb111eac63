import type { ConnectionTester } from "../connection-test.ts";
import { ZoomTokenCache } from "./access-token.ts";
import { createZoomClient } from "./client.ts";
import { ZoomApiError } from "./errors.ts";
import { zoomAppCredentials } from "./tenant-zoom.ts";

/** `GET /v2/users/me`, the fields the test reports. */
interface ZoomUser {
  email?: string;
  type?: number;
  role_name?: string;
}

// Zoom's user `type`: the user's plan (developers.zoom.us, Users API).
const PLAN_BY_USER_TYPE: Record<number, string> = { 1: "basic", 2: "licensed", 4: "unassigned_without_meetings_basic", 99: "none" };

function failure(error: ZoomApiError) {
  if (error.status === 0) return { ok: false as const, error: error.zoomMessage, code: "connection_error" };
  if (error.stage === "oauth") {
    const error_ = error.code === "invalid_client"
      ? "Zoom rejected the client ID or client secret (check the Server-to-Server OAuth app's App Credentials)"
      : `Zoom refused the token request: ${error.code}: ${error.zoomMessage} (check the account ID and that the app is activated)`;
    return { ok: false as const, error: error_, code: error.code };
  }
  if (error.code === "4711") {
    return {
      ok: false as const, code: "missing_scope",
      error: `the app lacks a scope Zoom requires — ${error.zoomMessage} Add it under the app's Scopes (meetings also need meeting:write:admin)`,
    };
  }
  return { ok: false as const, error: `Zoom answered ${error.status} ${error.code}: ${error.zoomMessage}`, code: error.code };
}

/**
 * Zoom's connection test: a Server-to-Server OAuth token, then `GET /v2/users/me` (PROVIDERS.md). Reports
 * the app user's email, plan and role — not the account ID, which is one of the saved credentials — or
 * Zoom's reason in plain words (credentials refused, a scope missing), never a credential. Always asks Zoom for a new token, so it tests the credentials given rather
 * than a token cached from earlier ones.
 */
export const testZoomConnection: ConnectionTester = async ({ tenantId, credentials, ctx }) => {
  const app = zoomAppCredentials(credentials);
  if (!app.ok) {
    return { ok: false, code: "missing_credentials", error: `no ${app.missing.join(", ")} is saved or given`, details: { missing: app.missing } };
  }
  const client = createZoomClient({
    tenantId, credentials: app.app, fetch: ctx.fetch, now: ctx.now, tokens: new ZoomTokenCache(),
    oauthBase: ctx.config.providerBases.zoomOauth, apiBase: ctx.config.providerBases.zoomApi,
  });
  try {
    const user = (await client.request<ZoomUser>("GET", "/v2/users/me")) ?? {};
    return {
      ok: true,
      details: {
        email: user.email ?? null,
        planType: typeof user.type === "number" ? (PLAN_BY_USER_TYPE[user.type] ?? `type_${user.type}`) : null,
        roleName: user.role_name ?? null,
      },
    };
  } catch (error) {
    if (error instanceof ZoomApiError) return failure(error);
    throw error;
  }
};
