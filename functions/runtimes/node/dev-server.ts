import { serve, type ServerType } from "@hono/node-server";
import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { ConfigError, loadConfig } from "../../_shared/config.ts";
import { createServices, type Services } from "../../_shared/context.ts";
import { createEventGroups } from "../../_shared/webhooks/event-groups.ts";
import type { DbPool } from "../../_shared/db/port.ts";
import type { Logger } from "../../_shared/http/logger.ts";
import { FUNCTIONS } from "../../manifest.ts";
import { createApp } from "./app.ts";
import { openDatabase } from "./database.ts";
import { withDevDefaults } from "./dev-env.ts";
import { localAdminToken, localServiceRoleToken, mountDevSignIn } from "./dev-sign-in.ts";

export const LOCAL_TENANT_NAME = "Local School";

export interface DevServerOptions {
  env: NodeJS.ProcessEnv;
  /** Where PGlite and the generated dev secrets live (`DATA_DIR`, default `.data`). */
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  /** The address to listen on; default `env.HOST`, else 127.0.0.1 (this machine only: the dev sign-in hands out admin tokens). */
  hostname?: string;
  /** The tenant the dev sign-in signs in to, found or created by name (tests: a fresh one). */
  localTenantName?: string;
  /** Where the functions' log lines go (default stdout; tests capture them). */
  log?: Logger;
}

export interface DevServer {
  url: string;
  /** The address it listens on (127.0.0.1 unless HOST said otherwise). */
  host: string;
  port: number;
  tenantId: string;
  /** A 7-day admin token for the local tenant, to print. */
  adminToken: string;
  /** A 7-day service_role key, to run jobs (`POST /api/jobs/<job>`) by hand. */
  serviceRoleToken: string;
  generatedSecrets: string[];
  services: Services;
  db: DbPool;
  stop(): Promise<void>;
}

async function ensureLocalTenant(db: DbPool, name: string): Promise<string> {
  const [existing] = await db.query<{ id: string }>("select id from tenants where name = $1 order by created_at limit 1", [name]);
  if (existing) return existing.id;
  const [created] = await db.query<{ id: string }>("insert into tenants (name) values ($1) returning id", [name]);
  return created!.id;
}

/**
 * `npm run dev` without the printing: config from `env` (plus generated dev secrets), PostgreSQL at
 * `DATABASE_URL` or PGlite in `dataDir`, migrations applied, the local tenant, every function, the pages, and
 * the development sign-in (GET /api/dev/token), listening on 127.0.0.1 unless `HOST` says otherwise.
 * The browser tests start it in-process this way.
 * @example const dev = await startDevServer({ env: process.env, dataDir: ".data", port: 3000 });
 */
export async function startDevServer(options: DevServerOptions): Promise<DevServer> {
  const { env, generated } = await withDevDefaults(options.env, options.dataDir);
  const config = await loadConfig(env);
  await mkdir(options.dataDir, { recursive: true });
  const db = await openDatabase({ databaseUrl: config.databaseUrl, pgliteDir: `${options.dataDir}/pglite` });
  // Serves every function from one process: concurrent webhook events share statements (event-groups.ts).
  const services = createServices(config, db, { eventGroups: createEventGroups(), ...(options.log ? { log: options.log } : {}) });
  const tenantId = await ensureLocalTenant(db, options.localTenantName ?? LOCAL_TENANT_NAME);
  const jwtSecret = config.supabaseJwtSecret!; // loadConfig requires it by default
  const app = await createApp(services, FUNCTIONS, {
    adminPage: { supabaseUrl: config.supabaseUrl ?? null, supabaseAnonKey: env.SUPABASE_ANON_KEY?.trim() || null, devSignIn: true },
  });
  mountDevSignIn(app, { jwtSecret, tenantId });

  const hostname = options.hostname ?? (env.HOST?.trim() || "127.0.0.1");
  let server: ServerType;
  try {
    server = await new Promise((resolve, reject) => {
      const started = serve({ fetch: app.fetch, port: options.port, hostname }, () => {
        started.off("error", reject);
        resolve(started);
      });
      started.once("error", reject);
    });
  } catch (error) {
    await db.close();
    // EADDRINUSE (PORT), EADDRNOTAVAIL or ENOTFOUND (HOST): one line naming what to change.
    const code = (error as NodeJS.ErrnoException).code ?? "error";
    throw new ConfigError(code === "EADDRINUSE" ? "PORT" : "HOST", `does not work here: cannot listen on ${hostname}:${options.port} (${code})`);
  }
  const { address: host, port } = server.address() as AddressInfo;
  if (!env.APP_URL) config.appUrl = `http://localhost:${port}`;

  return {
    url: config.appUrl,
    host,
    port,
    tenantId,
    adminToken: await localAdminToken(jwtSecret, tenantId, "7d"),
    serviceRoleToken: await localServiceRoleToken(jwtSecret, "7d"),
    generatedSecrets: generated,
    services,
    db,
    stop: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle keep-alive connections (a browser's) would hold close() open.
      if ("closeAllConnections" in server) server.closeAllConnections();
      await closed;
      await db.close();
    },
  };
}
