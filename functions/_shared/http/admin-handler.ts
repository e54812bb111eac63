import { requireAdmin, tokenVerifierFor, type Principal } from "../auth/principal.ts";
import type { Context, Handler } from "../context.ts";
import { principalHandler, type PrincipalHandlerOptions } from "./principal-handler.ts";

export type AdminHandler = (req: Request, ctx: Context, admin: Principal) => Promise<Response>;

/**
 * An admin function: the caller must present an admin token (401 without a valid one, 403 for a
 * non-admin) and only ever acts on `admin.tenantId`. Known failures become problem responses; anything
 * else is logged by name and answered 500 without details.
 * @example export const handler = adminHandler("admin-integrations", async (req, ctx, admin) => json(...));
 */
export function adminHandler(fn: string, handle: AdminHandler, options: PrincipalHandlerOptions = {}): Handler {
  return principalHandler(fn, (req, ctx) => requireAdmin(tokenVerifierFor(ctx.config), req), handle, options);
}
