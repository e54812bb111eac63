import type { ConnectionTestResult } from "../_shared/providers/connection-test.ts";

/** Every string a credentials object holds (list elements too). */
function secretValues(credentials: Record<string, unknown>): string[] {
  return Object.values(credentials)
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter((value): value is string => typeof value === "string" && value.length >= 8);
}

/**
 * The result with any credential value (or its long middle) replaced by `••••`. Testers never put one in,
 * but a provider message could quote what it was sent: this is the last check before the answer, the
 * audit log and the integration row.
 * @example const safe = redactSecrets(result, credentials);
 */
export function redactSecrets(result: ConnectionTestResult, credentials: Record<string, unknown>): ConnectionTestResult {
  const secrets = secretValues(credentials);
  const scrub = (text: string) => secrets.reduce((out, secret) => {
    const middle = secret.length > 12 ? secret.slice(4, -4) : secret;
    return out.split(secret).join("••••").split(middle).join("••••");
  }, text);
  const scrubbed = JSON.parse(JSON.stringify(result), (_key, value: unknown) => (typeof value === "string" ? scrub(value) : value));
  return scrubbed as ConnectionTestResult;
}
