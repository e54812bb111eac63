import { SignJWT } from "jose";
import { TEST_JWT_SECRET } from "./services.ts";

/**
 * A Supabase-shaped access token signed with jose (independent of the code under test, which only verifies):
 * `exp` in an hour and `aud: "authenticated"` unless told otherwise (`null` leaves the claim out).
 */
export async function signToken(
  claims: { sub?: string; tenantId?: string; role?: string; email?: string; expiresIn?: string | number | null; aud?: string | null },
  secret = TEST_JWT_SECRET,
): Promise<string> {
  const appMetadata: Record<string, unknown> = {};
  if (claims.tenantId !== undefined) appMetadata.tenant_id = claims.tenantId;
  if (claims.role !== undefined) appMetadata.role = claims.role;
  const aud = claims.aud === undefined ? "authenticated" : claims.aud;
  const token = new SignJWT({
    app_metadata: appMetadata, role: "authenticated", ...(aud === null ? {} : { aud }), ...(claims.email === undefined ? {} : { email: claims.email }),
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub ?? crypto.randomUUID())
    .setIssuedAt();
  if (claims.expiresIn !== null) token.setExpirationTime(claims.expiresIn ?? "1h");
  return token.sign(new TextEncoder().encode(secret));
}

export const adminToken = (tenantId: string) => signToken({ tenantId, role: "admin" });
