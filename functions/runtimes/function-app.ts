import { Hono } from "hono/tiny";
import { ConfigError, loadConfig, type Config } from "../_shared/config.ts";
import { createServices, type Handler, type Services } from "../_shared/context.ts";
import type { Db } from "../_shared/db/port.ts";
import { createPostgresDb } from "../_shared/db/postgres.ts";
import { createLogger } from "../_shared/http/logger.ts";
import type { FunctionDefinition } from "../manifest.ts";
import { mountFunction, withProblemFallbacks, type MountOptions } from "./mount.ts";

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Connections per instance. A Lambda instance serves one request at a time and a Supabase isolate a few; two
 * lets a transaction and one query outside it overlap without a pool deadlock, and keeps a burst of cold
 * starts from exhausting Postgres (or the pooler) connections.
 */
export const POOL_MAX = 2;

/** What a deployed runtime (Lambda, Deno) builds a function from; tests inject env, db and services. */
export interface RuntimeOptions {
  /** The environment to read config from (`process.env`, `Deno.env.toObject()`, or a test's object). */
  env: Env;
  /** The database; default postgres.js on `DATABASE_URL` with `POOL_MAX` connections. */
  openDb?: (config: Config) => Db;
  /** Parts of the services to replace (tests: a captured logger, a fixed clock). */
  services?: Partial<Services>;
  /** How this runtime knows the caller's IP (webhook rate limits): see MountOptions. */
  clientIp?: MountOptions["clientIp"];
}

/** One function ready to serve: its Hono app, and the services behind it (for non-HTTP triggers). */
export interface FunctionRuntime {
  app: Hono;
  services: Services;
}

/**
 * One function's Hono app on services built from the environment: config parsed by `loadConfig`, postgres.js on
 * `DATABASE_URL`, the function's routes mounted by `mountFunction`. A configuration error is logged naming the
 * variable (never its value) and rethrown, so the invocation fails visibly.
 * @example const { app } = await createFunctionRuntime(functionDefinition("stripe-webhook"), handler, { env: process.env });
 */
export async function createFunctionRuntime(definition: FunctionDefinition, handler: Handler, options: RuntimeOptions): Promise<FunctionRuntime> {
  const log = options.services?.log ?? createLogger({ fn: definition.slug });
  let services: Services;
  try {
    const config = await loadConfig(options.env, { requireJwtSecret: definition.secrets.includes("SUPABASE_JWT_SECRET") });
    services = createServices(config, openDb(config, options), { log, ...options.services });
  } catch (error) {
    if (error instanceof ConfigError) log.error("configuration error", { variable: error.variable, code: "ERR_CONFIG" });
    throw error;
  }
  const app = new Hono();
  mountFunction(app, services, definition, handler, options.clientIp ? { clientIp: options.clientIp } : {});
  return { app: withProblemFallbacks(app, services), services };
}

/** The Hono app alone (see createFunctionRuntime). */
export async function createFunctionApp(definition: FunctionDefinition, handler: Handler, options: RuntimeOptions): Promise<Hono> {
  return (await createFunctionRuntime(definition, handler, options)).app;
}

function openDb(config: Config, options: RuntimeOptions): Db {
  return (options.openDb ?? openDeployedDb)(config);
}

/** What a deployed function runs on: postgres.js on `DATABASE_URL` with `POOL_MAX` connections. */
export function openDeployedDb(config: Config): Db {
  // Deployed functions always use Postgres; the embedded PGlite fallback is for the dev server only.
  if (!config.databaseUrl) throw new ConfigError("DATABASE_URL", "is not set");
  return createPostgresDb(config.databaseUrl, { max: POOL_MAX });
}

/**
 * `build` run on the first call and its result shared by every later one: the cold-start work of a Lambda
 * instance or an isolate, done lazily so a module import never fails. A failed build is retried next call.
 * @example const ready = oncePerInstance(() => createFunctionApp(definition, handler, { env }));
 */
export function oncePerInstance<T>(build: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= build().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}
