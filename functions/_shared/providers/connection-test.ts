import type { Context } from "../context.ts";

/**
 * The outcome of "Test Connection": `ok` with what the provider told us (account name, granted scopes…),
 * or not `ok` with the provider's reason in plain words (bad key, consent needed, missing scope). Never a
 * secret, in either.
 */
export type ConnectionTestResult =
  | { ok: true; details: Record<string, unknown> }
  | { ok: false; error: string; code?: string; details?: Record<string, unknown> };

/**
 * Tests one integration's credentials against its provider (before they are saved, or the stored ones).
 * Each provider's lives in `functions/_shared/providers/<key>/test-connection.ts`; CONNECTION_TESTERS lists them.
 */
export type ConnectionTester = (input: {
  tenantId: string;
  credentials: Record<string, unknown>;
  settings: Record<string, unknown>;
  ctx: Context;
}) => Promise<ConnectionTestResult>;
