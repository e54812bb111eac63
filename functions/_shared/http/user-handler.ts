import { tokenVerifierFor, type Principal } from "../auth/principal.ts";
import type { Context, Handler } from "../context.ts";
import { principalHandler, type PrincipalHandlerOptions } from "./principal-handler.ts";

export type UserHandler = (req: Request, ctx: Context, user: Principal) => Promise<Response>;

/**
 * A function for any signed-in user of a tenant (a student or parent as well as an admin): a valid token
 * with `app_metadata.tenant_id` is enough (401 without one). It only ever acts on `user.tenantId`, so
 * another tenant's resource is simply not found.
 * @example export const handler = userHandler("checkout", async (req, ctx, user) => json(...));
 */
export function userHandler(fn: string, handle: UserHandler, options: PrincipalHandlerOptions = {}): Handler {
  return principalHandler(fn, (req, ctx) => tokenVerifierFor(ctx.config)(req), handle, options);
}
