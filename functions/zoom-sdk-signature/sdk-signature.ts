import { SignJWT } from "jose";
import { utf8Bytes } from "../_shared/crypto/encoding.ts";

export const SDK_SIGNATURE_LIFETIME = { min: 1800, max: 48 * 3600, default: 7200 } as const;
/** `iat` is set this far in the past, so a browser whose clock runs a little behind still accepts it. */
const CLOCK_SKEW_SECONDS = 30;

/**
 * A Meeting SDK signature: an HS256 JWT signed with the SDK secret, payload `{appKey, sdkKey, mn, role, iat,
 * exp, tokenExp}` (PROVIDERS.md; zoom/meetingsdk-auth-endpoint-sample). `role` 1 joins as host, 0 as attendee.
 * @example const { signature, expiresAt } = await signMeetingSdk({ sdkKey, sdkSecret, meetingNumber: "85746065432", role: 0, nowSeconds });
 */
export async function signMeetingSdk(input: {
  sdkKey: string; sdkSecret: string; meetingNumber: string; role: 0 | 1; nowSeconds: number; lifetimeSeconds?: number;
}): Promise<{ signature: string; expiresAt: number }> {
  const iat = input.nowSeconds - CLOCK_SKEW_SECONDS;
  const exp = iat + (input.lifetimeSeconds ?? SDK_SIGNATURE_LIFETIME.default);
  const signature = await new SignJWT({
    appKey: input.sdkKey, sdkKey: input.sdkKey, mn: input.meetingNumber, role: input.role, iat, exp, tokenExp: exp,
  })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .sign(utf8Bytes(input.sdkSecret));
  return { signature, expiresAt: exp };
}
