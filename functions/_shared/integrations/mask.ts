/**
 * How a stored secret is shown back: never more than its last 4 characters, and none of a short one.
 * @example maskSecret("whsec_abcdefgh1234") // "••••1234"
 */
export function maskSecret(value: unknown): string | string[] {
  if (Array.isArray(value)) return value.map((v) => maskSecret(v) as string);
  const text = typeof value === "string" ? value : "";
  return text.length >= 16 ? `••••${text.slice(-4)}` : "••••";
}

/** Every credential field masked. */
export function maskCredentials(credentials: Record<string, unknown>): Record<string, string | string[]> {
  return Object.fromEntries(Object.entries(credentials).map(([field, value]) => [field, maskSecret(value)]));
}
