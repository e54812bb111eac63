import type { Config } from "../config.ts";
import { createRemoteJWKSet, decodeProtectedHeader, errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from "jose";
import { utf8Bytes } from "../crypto/encoding.ts";

/** Who is calling, from a verified Supabase access token. */
export interface Principal {
  userId: string;
  tenantId: string;
  role: string;
  /** The token's `email` claim (lower-cased), when it has one: a teacher is matched to the meetings it hosts by it. */
  email?: string;
}

/** 401: no usable token. 403: a valid token that may not do this. Messages never include the token. */
export class AuthError extends Error {
  override name = "AuthError";
  constructor(
    readonly status: 401 | 403,
    readonly code: "ERR_AUTH_MISSING" | "ERR_AUTH_INVALID" | "ERR_AUTH_CLAIMS" | "ERR_AUTH_FORBIDDEN" | "ERR_AUTH_TENANT",
    message: string,
  ) {
    super(message);
  }
}

export type TokenVerifier = (req: Request) => Promise<Principal>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What every user and admin token must carry besides a valid signature: an expiry (a token without `exp`
 * would be valid forever) and Supabase's audience for signed-in users (`aud: "authenticated"`), which the
 * project's anon key and other tokens signed with the same secret do not have.
 */
const USER_TOKEN_CLAIMS: Readonly<Pick<JWTVerifyOptions, "audience" | "requiredClaims">> = { audience: "authenticated", requiredClaims: ["exp"] };

/**
 * The 401 for a token jose refused, saying which rule it broke (never echoing the token).
 * @example catch (error) { throw tokenRefused(error); }
 */
export function tokenRefused(error: unknown): AuthError {
  if (error instanceof AuthError) return error;
  if (error instanceof joseErrors.JWTExpired) return new AuthError(401, "ERR_AUTH_INVALID", "token expired");
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    if (error.claim === "exp") return new AuthError(401, "ERR_AUTH_INVALID", "token has no valid expiry (exp)");
    if (error.claim === "aud") return new AuthError(401, "ERR_AUTH_INVALID", 'token audience (aud) must be "authenticated"');
  }
  return new AuthError(401, "ERR_AUTH_INVALID", "invalid token");
}

function principalFrom(payload: JWTPayload): Principal {
  const appMetadata = (payload.app_metadata ?? {}) as { tenant_id?: unknown; role?: unknown };
  const tenantId = appMetadata.tenant_id;
  if (typeof payload.sub !== "string" || typeof tenantId !== "string" || !UUID.test(tenantId)) {
    throw new AuthError(403, "ERR_AUTH_CLAIMS", "token has no tenant (app_metadata.tenant_id)");
  }
  const role = typeof appMetadata.role === "string" ? appMetadata.role : "member";
  const email = typeof payload.email === "string" && payload.email ? payload.email.trim().toLowerCase() : undefined;
  return { userId: payload.sub, tenantId: tenantId.toLowerCase(), role, ...(email ? { email } : {}) };
}

/**
 * Verifies `Authorization: Bearer <JWT>` with jose: HS256 with `SUPABASE_JWT_SECRET`, or, when `supabaseUrl` is
 * set, asymmetric tokens against the project's JWKS; `exp` and `aud: "authenticated"` are required (401).
 * Returns the caller; throws `AuthError` (401/403). Whether the tenant exists is principalHandler's check.
 * @example const principal = await createTokenVerifier({ jwtSecret, supabaseUrl })(req);
 */
export function createTokenVerifier(options: { jwtSecret: string | undefined; supabaseUrl?: string | undefined }): TokenVerifier {
  // No secret (a function configured without one): HS256 tokens are refused like any unaccepted algorithm.
  const secret = options.jwtSecret === undefined ? undefined : utf8Bytes(options.jwtSecret);
  const jwks = options.supabaseUrl
    ? createRemoteJWKSet(new URL(`${options.supabaseUrl}/auth/v1/.well-known/jwks.json`))
    : undefined;

  return async (req) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.get("authorization") ?? "");
    if (!match) throw new AuthError(401, "ERR_AUTH_MISSING", "missing bearer token");
    const token = match[1]!;
    let payload: JWTPayload;
    try {
      const { alg } = decodeProtectedHeader(token);
      if (alg === "HS256" && secret) {
        ({ payload } = await jwtVerify(token, secret, { algorithms: ["HS256"], ...USER_TOKEN_CLAIMS }));
      } else if (jwks) {
        ({ payload } = await jwtVerify(token, jwks, { algorithms: ["ES256", "RS256"], ...USER_TOKEN_CLAIMS }));
      } else {
        throw new AuthError(401, "ERR_AUTH_INVALID", "token algorithm not accepted");
      }
    } catch (error) {
      throw tokenRefused(error);
    }
    return principalFrom(payload);
  };
}

/**
 * The caller, who must be an admin of a tenant; a signed-in non-admin gets 403.
 * @example const admin = await requireAdmin(tokenVerifierFor(ctx.config), req);
 */
export async function requireAdmin(verify: TokenVerifier, req: Request): Promise<Principal> {
  const principal = await verify(req);
  if (principal.role !== "admin") throw new AuthError(403, "ERR_AUTH_FORBIDDEN", "admin role required");
  return principal;
}

const verifiers = new WeakMap<object, TokenVerifier>();

/**
 * The token verifier for a cold start's config, made on first use and kept with that config (so the
 * JWKS fetched from Supabase is cached for the life of the instance).
 * @example const principal = await tokenVerifierFor(ctx.config)(req);
 */
export function tokenVerifierFor(config: Pick<Config, "supabaseJwtSecret" | "supabaseUrl">): TokenVerifier {
  let verify = verifiers.get(config);
  if (!verify) {
    verify = createTokenVerifier({ jwtSecret: config.supabaseJwtSecret, supabaseUrl: config.supabaseUrl });
    verifiers.set(config, verify);
  }
  return verify;
}
