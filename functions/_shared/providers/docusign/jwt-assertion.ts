import { SignJWT } from "jose";

/** DocuSign accepts an assertion for at most an hour; ten minutes is what its SDKs use. */
const ASSERTION_LIFETIME_SECONDS = 600;

/**
 * The JWT-grant assertion: the integration key (`iss`) asks to act as the DocuSign user (`sub`) at the
 * environment's account server (`aud`), signed RS256 with the key pair registered on the integration key.
 * @example const assertion = await signJwtAssertion({ integrationKey, userId, audience: "account-d.docusign.com", key, nowSeconds });
 */
export async function signJwtAssertion(input: {
  integrationKey: string;
  userId: string;
  audience: string;
  key: CryptoKey;
  nowSeconds: number;
}): Promise<string> {
  return new SignJWT({ scope: "signature impersonation" })
    .setProtectedHeader({ alg: "RS256", typ: "JWT" })
    .setIssuer(input.integrationKey)
    .setSubject(input.userId)
    .setAudience(input.audience)
    .setIssuedAt(input.nowSeconds)
    .setExpirationTime(input.nowSeconds + ASSERTION_LIFETIME_SECONDS)
    .sign(input.key);
}
