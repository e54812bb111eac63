import { getConnInfo } from "@hono/node-server/conninfo";
import type { Hono } from "hono";
import { SignJWT } from "jose";
import { utf8Bytes } from "../../_shared/crypto/encoding.ts";

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;
// The names a page on this machine reaches the dev server by, any port. A page from elsewhere that rebinds its
// own name to 127.0.0.1 (DNS rebinding) still sends its own name as Host, so it is refused.
const LOCAL_HOST = /^(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/i;

const forbidden = (detail: string) => ({ title: "Forbidden", status: 403, detail });

/**
 * An admin token for the local tenant, signed with the dev server's JWT secret, as Supabase Auth would
 * issue one (`sub`, `app_metadata.tenant_id`, `app_metadata.role = "admin"`).
 * @example const token = await localAdminToken(secret, tenantId, "7d");
 */
export function localAdminToken(jwtSecret: string, tenantId: string, expiresIn: string): Promise<string> {
  return new SignJWT({ app_metadata: { tenant_id: tenantId, role: "admin" }, role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject("local-admin")
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(utf8Bytes(jwtSecret));
}

/**
 * A service_role key for the local project (what Supabase's service_role key is: an HS256 JWT with
 * `role: "service_role"`), so jobs and `POST /api/emails` can be called on the dev server.
 * @example curl -X POST -H "Authorization: Bearer $(…)" localhost:3000/api/jobs/email-sender
 */
export function localServiceRoleToken(jwtSecret: string, expiresIn: string): Promise<string> {
  return new SignJWT({ role: "service_role", iss: "ips-dev" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(utf8Bytes(jwtSecret));
}

/**
 * `GET /api/dev/token` — the config page's "sign in as the local admin" for `npm run dev`. Mounted only by the
 * dev server when it is started as `npm run dev` (never by createApp, Lambda or Deno), and answered only to
 * a browser on this machine (the socket's peer, not a header) that asked for localhost, 127.0.0.1 or [::1]
 * (the Host header, against DNS rebinding): anyone who can reach it is an admin.
 * @example mountDevSignIn(app, { jwtSecret, tenantId });
 */
export function mountDevSignIn(app: Hono, local: { jwtSecret: string; tenantId: string }): void {
  app.get("/api/dev/token", async (c) => {
    let peer: string | undefined;
    try {
      peer = getConnInfo(c).remote.address;
    } catch {
      peer = undefined;
    }
    if (!peer || !LOOPBACK.test(peer)) return c.json(forbidden("the development sign-in answers this machine only"), 403);
    if (!LOCAL_HOST.test(c.req.header("host") ?? "")) {
      return c.json(forbidden("the development sign-in answers only at http://localhost, http://127.0.0.1 or http://[::1]"), 403);
    }
    const accessToken = await localAdminToken(local.jwtSecret, local.tenantId, "12h");
    return c.json({ accessToken, tenantId: local.tenantId, expiresIn: 12 * 3600 }, 200, { "cache-control": "no-store" });
  });
}
