import { AuthError, requireAdmin, type Principal } from "../auth/principal.ts";
import type { Context, Handler } from "../context.ts";
import { VaultError } from "../crypto/vault.ts";
import { DbUnavailableError } from "../db/port.ts";
import { PayloadTooLargeError } from "./body-limit.ts";
import { MalformedJsonError } from "./json-body.ts";
import { problem } from "./responses.ts";

export type AdminHandler = (req: Request, ctx: Context, admin: Principal) => Promise<Response>;

/**
 * An admin function: the caller must present an admin token (401 without a valid one, 403 for a
 * non-admin) and only ever acts on `admin.tenantId`. Known failures become problem responses; anything
 * else is logged by name and answered 500 without details.
 * @example export const handler = adminHandler("admin-integrations", async (req, ctx, admin) => json(...));
 */
export function adminHandler(fn: string, handle: AdminHandler): Handler {
  return async (req, ctx) => {
    const log = ctx.log.child({ fn, requestId: ctx.requestId });
    try {
      const admin = await requireAdmin(ctx.verifyToken, req);
      return await handle(req, { ...ctx, log: log.child({ tenantId: admin.tenantId }) }, admin);
    } catch (error) {
      if (error instanceof AuthError) return problem({ status: error.status, title: error.status === 401 ? "Unauthorized" : "Forbidden", detail: error.message, code: error.code });
      if (error instanceof MalformedJsonError) return problem({ status: 400, title: "Malformed JSON", detail: error.message });
      if (error instanceof PayloadTooLargeError) return problem({ status: 413, title: "Payload too large", detail: error.message });
      if (error instanceof DbUnavailableError) {
        return problem({ status: 503, title: "Temporarily unavailable", code: "ERR_DB_UNAVAILABLE", headers: { "retry-after": "30" } });
      }
      if (error instanceof VaultError) {
        log.error("stored credentials could not be opened", { code: error.code });
        return problem({ status: 500, title: "Stored credentials unreadable", detail: error.message, code: error.code });
      }
      const { name, code } = (error ?? {}) as { name?: string; code?: unknown };
      log.error("unexpected error", { error: name ?? "unknown", code: typeof code === "string" ? code : undefined });
      return problem({ status: 500, title: "Internal error", detail: "the error was logged with this request's id" });
    }
  };
}
