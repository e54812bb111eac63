import type { Config } from "./config.ts";
import { createCredentialVault, type CredentialVault } from "./crypto/vault.ts";
import type { Db } from "./db/port.ts";
import { createLogger, type Logger } from "./http/logger.ts";
import { createIntegrationCache, type IntegrationCache } from "./integrations/cache.ts";
import type { EventGroups } from "./webhooks/event-groups.ts";

/**
 * What a function needs, built once per cold start and shared by every request it serves. Token
 * verification is not here on purpose: only token-authenticated functions import it (auth/principal.ts,
 * jose), which keeps it out of webhook bundles.
 */
export interface Services {
  config: Config;
  db: Db;
  vault: CredentialVault;
  /** Milliseconds since the epoch; injected so tests can move the clock. */
  now: () => number;
  /** Outbound HTTP (provider APIs); injected so tests and runtimes choose it. */
  fetch: typeof fetch;
  log: Logger;
  /** Decrypted integrations reused for a few seconds by webhook functions (see IntegrationCache). */
  integrationCache: IntegrationCache;
  /**
   * Set by runtimes that serve many deliveries at once (the dev server, Deno): concurrent webhook events are
   * stored a few per statement (webhooks/event-groups.ts). Absent (Lambda: one request per instance), each event
   * takes the one-event path.
   */
  eventGroups?: EventGroups;
}

/** Per request: the services plus the route's path parameters, the request id and a logger carrying it. */
export interface Context extends Services {
  params: Readonly<Record<string, string | undefined>>;
  requestId: string;
  /**
   * Set only by a runtime that invokes the function on its schedule (EventBridge → Lambda): never from an
   * HTTP request, so it can stand in for the service_role key a job's HTTP route requires.
   */
  trigger?: "schedule";
  /**
   * The caller's IP as the platform vouches for it (API Gateway's sourceIp on Lambda, the socket or
   * `TRUST_PROXY_HOPS` from the right of x-forwarded-for on the dev server, the entry Supabase's gateway appended
   * on Deno); set by functions/runtimes/mount.ts, never read from a header by a handler. Absent: none vouched.
   */
  clientIp?: string;
}

/** Every function is one of these: Web-standard in, Web-standard out, no runtime globals. */
export type Handler = (req: Request, ctx: Context) => Promise<Response>;

/**
 * Builds the services for a cold start from parsed config and a Db.
 * @example const services = createServices(await loadConfig(process.env), createPostgresDb(url));
 */
export function createServices(config: Config, db: Db, overrides: Partial<Services> = {}): Services {
  const now = overrides.now ?? (() => Date.now());
  return {
    config,
    db,
    vault: createCredentialVault(config.encryptionKey, config.previousEncryptionKeys),
    now,
    fetch: globalThis.fetch.bind(globalThis),
    log: createLogger(),
    integrationCache: createIntegrationCache(5_000, now),
    ...overrides,
  };
}
