import { SignJWT } from "jose";
import { TEST_JWT_SECRET } from "./services.ts";

/** A Supabase `service_role` key as the platform holds it: HS256, `role: "service_role"`, no user, no tenant. */
export function serviceRoleToken(secret = TEST_JWT_SECRET): Promise<string> {
  return new SignJWT({ role: "service_role", iss: "supabase" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(new TextEncoder().encode(secret));
}

/** A job's POST as pg_cron or an operator sends it. */
export async function jobRequest(path: string, token?: string | null): Promise<Request> {
  const bearer = token === undefined ? await serviceRoleToken() : token;
  return new Request(`http://localhost${path}`, { method: "POST", headers: bearer ? { authorization: `Bearer ${bearer}` } : {} });
}
