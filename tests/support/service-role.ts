import { SignJWT } from "jose";
import { TEST_JWT_SECRET } from "./services.ts";

/**
 * A Supabase `service_role` key as the platform holds it: HS256, `role: "service_role"`, `exp` (in an hour
 * unless told; `null` leaves it out), no user, no tenant, no audience.
 */
export function serviceRoleToken(secret = TEST_JWT_SECRET, options: { expiresIn?: string | number | null } = {}): Promise<string> {
  const token = new SignJWT({ role: "service_role", iss: "supabase" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt();
  if (options.expiresIn !== null) token.setExpirationTime(options.expiresIn ?? "1h");
  return token.sign(new TextEncoder().encode(secret));
}

/** A job's POST as pg_cron or an operator sends it. */
export async function jobRequest(path: string, token?: string | null): Promise<Request> {
  const bearer = token === undefined ? await serviceRoleToken() : token;
  return new Request(`http://localhost${path}`, { method: "POST", headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
}
