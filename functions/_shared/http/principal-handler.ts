import { requireKnownTenant } from "../auth/known-tenants.ts";
import type { Principal } from "../auth/principal.ts";
import type { Context, Handler } from "../context.ts";
import { problemForError, type ErrorProblem } from "./error-problem.ts";
import { enforceRateLimit, userRule } from "./rate-limit.ts";

/** A function body that runs for an authenticated caller and only ever acts on `principal.tenantId`. */
export type PrincipalHandler = (req: Request, ctx: Context, principal: Principal) => Promise<Response>;

export interface PrincipalHandlerOptions {
  /** Function-specific error answers (a provider's errors), tried before the shared ones. */
  errorProblems?: readonly ErrorProblem[];
}

/**
 * A token-authenticated function: `authenticate` names the caller or throws `AuthError` (401/403); each
 * caller is then rate-limited per user (429, shared by every instance through Postgres); a tenant that does
 * not exist is refused here (403 `ERR_AUTH_TENANT`, checked once per instance), so no handler meets one;
 * the logger carries the function, request and tenant; every error becomes a problem response.
 * `adminHandler` and `userHandler` are this with their checks.
 * @example export const handler = principalHandler("x", (req, ctx) => tokenVerifierFor(ctx.config)(req), async (req, ctx, p) => json({}));
 */
export function principalHandler(
  fn: string,
  authenticate: (req: Request, ctx: Context) => Promise<Principal>,
  handle: PrincipalHandler,
  options: PrincipalHandlerOptions = {},
): Handler {
  return async (req, ctx) => {
    const log = ctx.log.child({ fn, requestId: ctx.requestId });
    try {
      const principal = await authenticate(req, ctx);
      const limited = await enforceRateLimit({ ...ctx, log }, userRule(ctx, principal));
      if (limited) return limited;
      await requireKnownTenant(ctx.db, principal.tenantId);
      return await handle(req, { ...ctx, log: log.child({ tenantId: principal.tenantId }) }, principal);
    } catch (error) {
      return problemForError(error, log, options.errorProblems);
    }
  };
}
