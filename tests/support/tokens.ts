import { SignJWT } from "jose";
import { TEST_JWT_SECRET } from "./services.ts";

/** A Supabase-shaped access token signed with jose (independent of the code under test, which only verifies). */
export async function signToken(
  claims: { sub?: string; tenantId?: string; role?: string; expiresIn?: string | number },
  secret = TEST_JWT_SECRET,
): Promise<string> {
  const appMetadata: Record<string, unknown> = {};
  if (claims.tenantId !== undefined) appMetadata.tenant_id = claims.tenantId;
  if (claims.role !== undefined) appMetadata.role = claims.role;
  return new SignJWT({ app_metadata: appMetadata, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(claims.sub ?? crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime(claims.expiresIn ?? "1h")
    .sign(new TextEncoder().encode(secret));
}

export const adminToken = (tenantId: string) => signToken({ tenantId, role: "admin" });
