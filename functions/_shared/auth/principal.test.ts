import { exportJWK, generateKeyPair, SignJWT, type CryptoKey as JoseCryptoKey, type JWK } from "jose";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { TEST_JWT_SECRET } from "../../../tests/support/services.ts";
import { signToken } from "../../../tests/support/tokens.ts";
import { AuthError, createTokenVerifier, requireAdmin } from "./principal.ts";

const TENANT_ID = "6f1c1f5e-3a52-4b4e-9d2f-2f0a6b1d8c01";
const USER_ID = "1d7f8a2b-5c3e-4f60-8a9b-0c1d2e3f4a5b";

const verifyHs256 = createTokenVerifier({ jwtSecret: TEST_JWT_SECRET });

const requestWith = (authorization?: string) =>
  new Request("http://localhost/api/admin/integrations", authorization === undefined ? {} : { headers: { authorization } });
const bearer = (token: string) => requestWith(`Bearer ${token}`);

async function authError(promise: Promise<unknown>): Promise<AuthError> {
  const error = await promise.then(() => expect.unreachable("the request should have been refused"), (e: unknown) => e);
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("createTokenVerifier + requireAdmin (HS256 with SUPABASE_JWT_SECRET)", () => {
  it("accepts a valid admin token and returns who is calling", async () => {
    const token = await signToken({ sub: USER_ID, tenantId: TENANT_ID, role: "admin" });
    await expect(requireAdmin(verifyHs256, bearer(token))).resolves.toEqual({ userId: USER_ID, tenantId: TENANT_ID, role: "admin" });
  });

  it("reads a lower-case bearer scheme and lower-cases the tenant id", async () => {
    const token = await signToken({ sub: USER_ID, tenantId: TENANT_ID.toUpperCase(), role: "admin" });
    await expect(requireAdmin(verifyHs256, requestWith(`bearer ${token}`))).resolves.toMatchObject({ tenantId: TENANT_ID });
  });

  it.each([
    ["no Authorization header", undefined],
    ["an empty header", ""],
    ["the word Bearer alone", "Bearer"],
    ["another scheme", "Basic dXNlcjpwYXNz"],
  ])("answers 401 ERR_AUTH_MISSING for %s", async (_, header) => {
    expect(await authError(requireAdmin(verifyHs256, requestWith(header)))).toMatchObject({ status: 401, code: "ERR_AUTH_MISSING" });
  });

  it.each(["garbage", "a.b.c", "eyJhbGciOiJIUzI1NiJ9.e30"])("answers 401 ERR_AUTH_INVALID for Bearer %s", async (token) => {
    expect(await authError(requireAdmin(verifyHs256, bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
  });

  it("answers 401 to a token signed with another secret", async () => {
    const token = await signToken({ tenantId: TENANT_ID, role: "admin" }, "another-secret-that-is-also-32-characters-long");
    expect(await authError(requireAdmin(verifyHs256, bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
  });

  it("answers 401 to an expired token", async () => {
    const token = await signToken({ tenantId: TENANT_ID, role: "admin", expiresIn: Math.floor(Date.now() / 1000) - 60 });
    expect(await authError(requireAdmin(verifyHs256, bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
  });

  it.each([
    ["a user token", undefined],
    ["an admin token", "admin"],
  ])("answers 401 to %s without exp (it would never expire)", async (_, role) => {
    const token = await signToken({ sub: USER_ID, tenantId: TENANT_ID, ...(role ? { role } : {}), expiresIn: null });
    expect(await authError(verifyHs256(bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID", message: "token has no valid expiry (exp)" });
  });

  it("answers 401 to a token whose exp is not a number", async () => {
    const claims: Record<string, unknown> = { app_metadata: { tenant_id: TENANT_ID, role: "admin" }, aud: "authenticated", exp: "tomorrow" };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256" }).setSubject(USER_ID).sign(new TextEncoder().encode(TEST_JWT_SECRET));
    expect(await authError(verifyHs256(bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
  });

  it.each([
    ["no aud", null, undefined],
    ["aud anon", "anon", undefined],
    ["aud service_role", "service_role", "admin"],
    ["another project's audience", "https://other.example", "admin"],
  ])("answers 401 to a token with %s (only aud = authenticated is a signed-in user)", async (_, aud, role) => {
    const token = await signToken({ sub: USER_ID, tenantId: TENANT_ID, aud, ...(role ? { role } : {}) });
    expect(await authError(verifyHs256(bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID", message: 'token audience (aud) must be "authenticated"' });
  });

  it("answers 401 to an unsigned alg:none token, with or without a JWKS", async () => {
    const claims = { sub: USER_ID, app_metadata: { tenant_id: TENANT_ID, role: "admin" }, exp: Math.floor(Date.now() / 1000) + 3600 };
    const unsigned = `${base64url({ alg: "none", typ: "JWT" })}.${base64url(claims)}.`;
    const withJwks = createTokenVerifier({ jwtSecret: TEST_JWT_SECRET, supabaseUrl: "https://unused.supabase.test" });
    for (const verifier of [verifyHs256, withJwks]) {
      expect(await authError(requireAdmin(verifier, bearer(unsigned)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
    }
  });

  it("answers 401 to every HS256 token when configured without a secret (a webhook function's services)", async () => {
    const token = await signToken({ sub: USER_ID, tenantId: TENANT_ID, role: "admin" });
    const withoutSecret = createTokenVerifier({ jwtSecret: undefined });
    expect(await authError(requireAdmin(withoutSecret, bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
  });

  it("answers 401 to an HS256 header over a payload whose signature was stripped", async () => {
    const [header, payload] = (await signToken({ tenantId: TENANT_ID, role: "admin" })).split(".");
    expect(await authError(requireAdmin(verifyHs256, bearer(`${header}.${payload}.`)))).toMatchObject({ status: 401 });
  });

  it("answers 403 ERR_AUTH_CLAIMS to a valid token without app_metadata.tenant_id", async () => {
    const token = await signToken({ role: "admin" });
    expect(await authError(requireAdmin(verifyHs256, bearer(token)))).toMatchObject({ status: 403, code: "ERR_AUTH_CLAIMS" });
  });

  it("answers 403 to a tenant id that is not a uuid", async () => {
    const token = await signToken({ tenantId: "school-1", role: "admin" });
    expect(await authError(requireAdmin(verifyHs256, bearer(token)))).toMatchObject({ status: 403 });
  });

  it.each([["a member", "member"], ["a token without a role", undefined]])("lets %s through the verifier but requireAdmin answers 403", async (_, role) => {
    const token = await signToken({ sub: USER_ID, tenantId: TENANT_ID, ...(role ? { role } : {}) });
    await expect(verifyHs256(bearer(token))).resolves.toMatchObject({ userId: USER_ID, tenantId: TENANT_ID });
    expect(await authError(requireAdmin(verifyHs256, bearer(token)))).toMatchObject({ status: 403, code: "ERR_AUTH_FORBIDDEN" });
  });

  it("never puts the token in the error message", async () => {
    const token = await signToken({ tenantId: TENANT_ID, role: "admin" }, "another-secret-that-is-also-32-characters-long");
    expect((await authError(requireAdmin(verifyHs256, bearer(token)))).message).not.toContain(token);
  });

  it("answers 401 to an ES256 token when no SUPABASE_URL (JWKS) is configured", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT({ app_metadata: { tenant_id: TENANT_ID, role: "admin" } })
      .setProtectedHeader({ alg: "ES256" }).setSubject(USER_ID).setExpirationTime("1h").sign(privateKey);
    expect(await authError(requireAdmin(verifyHs256, bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
  });
});

describe("createTokenVerifier with SUPABASE_URL (ES256 against the project's JWKS)", () => {
  const SUPABASE_URL = "https://project-ref.supabase.test";
  const JWKS_URL = `${SUPABASE_URL}/auth/v1/.well-known/jwks.json`;
  let projectKey: JoseCryptoKey;
  let publicJwk: JWK;
  let jwksRequests = 0;

  const server = setupServer(
    http.get(JWKS_URL, () => {
      jwksRequests++;
      return HttpResponse.json({ keys: [publicJwk] });
    }),
  );

  beforeAll(async () => {
    const pair = await generateKeyPair("ES256");
    projectKey = pair.privateKey;
    publicJwk = { ...(await exportJWK(pair.publicKey)), kid: "project-key-1", alg: "ES256", use: "sig" };
    server.listen({ onUnhandledRequest: "error" });
  });
  afterEach(() => server.resetHandlers());
  afterAll(() => server.close());

  const es256Token = (key: JoseCryptoKey, kid: string) =>
    new SignJWT({ app_metadata: { tenant_id: TENANT_ID, role: "admin" }, role: "authenticated", aud: "authenticated" })
      .setProtectedHeader({ alg: "ES256", kid, typ: "JWT" })
      .setSubject(USER_ID)
      .setIssuedAt()
      .setExpirationTime("1h")
      .sign(key);

  it("accepts a token signed by the key the JWKS publishes", async () => {
    const verify = createTokenVerifier({ jwtSecret: TEST_JWT_SECRET, supabaseUrl: SUPABASE_URL });
    const before = jwksRequests;
    await expect(requireAdmin(verify, bearer(await es256Token(projectKey, "project-key-1")))).resolves.toEqual({
      userId: USER_ID, tenantId: TENANT_ID, role: "admin",
    });
    expect(jwksRequests).toBeGreaterThan(before);
  });

  it.each(["project-key-1", "unknown-key"])("answers 401 to a token signed by another key (kid %s)", async (kid) => {
    const verify = createTokenVerifier({ jwtSecret: TEST_JWT_SECRET, supabaseUrl: SUPABASE_URL });
    const { privateKey: otherKey } = await generateKeyPair("ES256");
    expect(await authError(requireAdmin(verify, bearer(await es256Token(otherKey, kid))))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
  });

  it("answers 401 to a JWKS-signed token without aud or without exp", async () => {
    const verify = createTokenVerifier({ jwtSecret: TEST_JWT_SECRET, supabaseUrl: SUPABASE_URL });
    const claims = { app_metadata: { tenant_id: TENANT_ID, role: "admin" }, role: "authenticated" };
    const withoutAud = await new SignJWT(claims).setProtectedHeader({ alg: "ES256", kid: "project-key-1" })
      .setSubject(USER_ID).setExpirationTime("1h").sign(projectKey);
    const withoutExp = await new SignJWT({ ...claims, aud: "authenticated" }).setProtectedHeader({ alg: "ES256", kid: "project-key-1" })
      .setSubject(USER_ID).sign(projectKey);
    for (const token of [withoutAud, withoutExp]) {
      expect(await authError(verify(bearer(token)))).toMatchObject({ status: 401, code: "ERR_AUTH_INVALID" });
    }
  });

  it("still accepts HS256 tokens signed with SUPABASE_JWT_SECRET", async () => {
    const verify = createTokenVerifier({ jwtSecret: TEST_JWT_SECRET, supabaseUrl: SUPABASE_URL });
    const token = await signToken({ sub: USER_ID, tenantId: TENANT_ID, role: "admin" });
    await expect(requireAdmin(verify, bearer(token))).resolves.toMatchObject({ userId: USER_ID });
  });
});
