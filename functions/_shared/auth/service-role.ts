import { jwtVerify } from "jose";
import type { Config } from "../config.ts";
import { utf8Bytes } from "../crypto/encoding.ts";
import { AuthError, tokenRefused } from "./principal.ts";

/**
 * Checks that the caller is the platform itself: a Supabase `service_role` key (an HS256 JWT signed with
 * the project's JWT secret, claim `role: "service_role"`, no user and no tenant, no audience required) that
 * carries `exp` like every token (Supabase's keys do; one without would never expire). Throws AuthError 401/403.
 * @example await requireServiceRole(ctx.config, req);
 */
export async function requireServiceRole(config: Pick<Config, "supabaseJwtSecret">, req: Request): Promise<void> {
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
  if (!match) throw new AuthError(401, "ERR_AUTH_MISSING", "missing bearer token");
  if (!config.supabaseJwtSecret) throw new AuthError(401, "ERR_AUTH_INVALID", "token algorithm not accepted");
  let role: unknown;
  try {
    ({ payload: { role } } = await jwtVerify(match[1]!, utf8Bytes(config.supabaseJwtSecret), { algorithms: ["HS256"], requiredClaims: ["exp"] }));
  } catch (error) {
    throw tokenRefused(error);
  }
  if (role !== "service_role") throw new AuthError(403, "ERR_AUTH_FORBIDDEN", "service_role key required");
}
