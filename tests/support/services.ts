import { loadConfig, type Config } from "../../functions/_shared/config.ts";
import { createServices, type Context, type Services } from "../../functions/_shared/context.ts";
import type { Db } from "../../functions/_shared/db/port.ts";
import { createLogger, type Logger } from "../../functions/_shared/http/logger.ts";

export const TEST_JWT_SECRET = "test-jwt-secret-that-is-at-least-32-characters-long";
export const TEST_ENCRYPTION_KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

export function testConfig(overrides: Record<string, string> = {}): Promise<Config> {
  return loadConfig({
    ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
    SUPABASE_JWT_SECRET: TEST_JWT_SECRET,
    APP_URL: "https://ips.example.test",
    ...overrides,
  });
}

/** Every log line a test's services wrote, parsed, so tests can assert that no secret was logged. */
export interface CapturedLogs {
  lines: string[];
  logger: Logger;
}

export function captureLogs(): CapturedLogs {
  const lines: string[] = [];
  return { lines, logger: createLogger({}, (line) => lines.push(line)) };
}

/**
 * Services over `db` with a movable clock and captured logs. The integration cache is off unless asked
 * for, so tests that change an integration see the change at once.
 */
export async function testServices(
  db: Db,
  options: { now?: () => number; cacheTtlMs?: number; configOverrides?: Record<string, string> } = {},
): Promise<Services & { logs: CapturedLogs }> {
  const logs = captureLogs();
  const config = await testConfig(options.configOverrides);
  const services = createServices(config, db, { log: logs.logger, ...(options.now ? { now: options.now } : {}) });
  if (!options.cacheTtlMs) {
    const { createIntegrationCache } = await import("../../functions/_shared/integrations/cache.ts");
    services.integrationCache = createIntegrationCache(0, services.now);
  }
  return { ...services, logs };
}

/** A per-request context. */
export function contextFor(services: Services, params: Record<string, string | undefined> = {}): Context {
  return { ...services, params, requestId: crypto.randomUUID() };
}
