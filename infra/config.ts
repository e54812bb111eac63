// Everything that differs between stages, decided once at synth from the stage name and a few IPS_* variables
// (names and URLs only — a secret's value is never read here, so it cannot reach a template).
import { RemovalPolicy } from "aws-cdk-lib";
import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { join } from "node:path";
import { FUNCTIONS, type FunctionDefinition } from "../functions/manifest.ts";
import { lambdaEntry, REPO_ROOT } from "./paths.ts";
import { PRODUCTION_STAGE, SHARED_DATABASE_STAGE } from "./stage.ts";

export interface StageConfig {
  stage: string;
  production: boolean;
  /** `retain` in production (data survives `sst remove` and replacements), `destroy` for every other stage. */
  removal: "retain" | "destroy";
  /**
   * `aurora`: Aurora Serverless v2 PostgreSQL behind RDS Proxy in a VPC, credentials generated into Secrets
   * Manager (production, and the `preview-shared` stage that hosts the preview cluster). `shared`: a database
   * of the stage's own inside the account's preview cluster (infra/shared-database.ts) — every branch stage's
   * default. `external`: a Postgres elsewhere (e.g. Supabase's pooler) whose URL is in an existing secret.
   */
  database: { kind: "aurora" } | { kind: "shared" } | { kind: "external"; urlSecret: string };
  /** ENCRYPTION_KEY, ENCRYPTION_KEYS_OLD and SUPABASE_JWT_SECRET are the secrets `<prefix>/<NAME>`. */
  secretsPrefix: string;
  logRetention: RetentionDays;
  /** Public base URL shown to tenants for their webhooks; default the HTTP API's own URL. */
  appUrl: string | undefined;
  supabaseUrl: string | undefined;
  /** Supabase's anon (public) key, for the config page's sign-in; public by design, written into the site. */
  supabaseAnonKey: string | undefined;
  /** Where the stage's CloudWatch alarms are mailed (IPS_ALARM_EMAIL); the alarm topic exists either way. */
  alarmEmail: string | undefined;
  /** Per-minute limits passed to the functions (WEBHOOK_/USER_RATE_LIMIT_PER_MINUTE); their defaults when unset. */
  rateLimits: { webhookPerMinute: string | undefined; userPerMinute: string | undefined };
  functions: readonly FunctionDefinition[];
  /** Where a function's Lambda entry is (`functions/<slug>/lambda.ts`); tests may point elsewhere. */
  lambdaEntry: (slug: string) => string;
  /** The static config page; deployed when it holds files. */
  webDir: string;
}

export type SynthEnv = Readonly<Record<string, string | undefined>>;

const optional = (env: SynthEnv, name: string) => env[name]?.trim() || undefined;

function urlVariable(env: SynthEnv, name: string): string | undefined {
  const value = optional(env, name);
  if (value !== undefined && !/^https:\/\/[^\s/]+/.test(value)) throw new Error(`${name} must be an https:// URL`);
  return value;
}

function countVariable(env: SynthEnv, name: string): string | undefined {
  const value = optional(env, name);
  if (value !== undefined && !/^\d{1,9}$/.test(value)) throw new Error(`${name} must be a whole number (0 turns the limit off)`);
  return value;
}

function emailVariable(env: SynthEnv, name: string): string | undefined {
  const value = optional(env, name);
  if (value !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) throw new Error(`${name} must be an email address`);
  return value;
}

function secretReference(env: SynthEnv, name: string): string | undefined {
  const value = optional(env, name);
  // A connection string here would be written into the template: refuse it, name the variable, not the value.
  if (value !== undefined && (value.includes("://") || value.includes("@") || !/^[\w/+=.@:-]+$/.test(value))) {
    throw new Error(`${name} must be the name or ARN of a Secrets Manager secret holding DATABASE_URL, not the URL itself`);
  }
  return value;
}

/**
 * Which database a stage uses: an external one when IPS_DATABASE_URL_SECRET names it; else IPS_DATABASE
 * (`aurora`: a cluster of the stage's own, `shared`: the preview cluster); else a cluster of its own for
 * production and `preview-shared`, the shared preview cluster for every branch stage.
 */
function databaseChoice(stage: string, env: SynthEnv): StageConfig["database"] {
  const urlSecret = secretReference(env, "IPS_DATABASE_URL_SECRET");
  if (urlSecret) return { kind: "external", urlSecret };
  const hostsCluster = stage === PRODUCTION_STAGE || stage === SHARED_DATABASE_STAGE;
  const kind = optional(env, "IPS_DATABASE") ?? (hostsCluster ? "aurora" : "shared");
  if (kind !== "aurora" && kind !== "shared") throw new Error(`IPS_DATABASE must be "aurora" or "shared"`);
  if (kind === "shared" && hostsCluster) throw new Error(`IPS_DATABASE=shared: the ${stage} stage has a cluster of its own`);
  return { kind };
}

/** A stage's configuration: production by name, the rest from IPS_* variables set while synthesizing. */
export function stageConfig(stage: string, env: SynthEnv = process.env): StageConfig {
  const production = stage === PRODUCTION_STAGE;
  return {
    stage,
    production,
    // The shared preview cluster outlives every branch stage that has a database in it.
    removal: production || stage === SHARED_DATABASE_STAGE ? "retain" : "destroy",
    database: databaseChoice(stage, env),
    secretsPrefix: (optional(env, "IPS_SECRETS_PREFIX") ?? (production ? "ips/production" : "ips/preview")).replace(/\/+$/, ""),
    logRetention: production ? RetentionDays.THREE_MONTHS : RetentionDays.TWO_WEEKS,
    appUrl: urlVariable(env, "IPS_APP_URL"),
    supabaseUrl: urlVariable(env, "IPS_SUPABASE_URL"),
    supabaseAnonKey: optional(env, "IPS_SUPABASE_ANON_KEY"),
    alarmEmail: emailVariable(env, "IPS_ALARM_EMAIL"),
    rateLimits: {
      webhookPerMinute: countVariable(env, "IPS_WEBHOOK_RATE_LIMIT_PER_MINUTE"),
      userPerMinute: countVariable(env, "IPS_USER_RATE_LIMIT_PER_MINUTE"),
    },
    functions: FUNCTIONS,
    lambdaEntry,
    webDir: join(REPO_ROOT, "web"),
  };
}

export const removalPolicy = (config: StageConfig): RemovalPolicy =>
  config.removal === "retain" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

/**
 * API Gateway ends an HTTP API integration after 30 s; a function behind a route must be done by then.
 * A job (an entry with a schedule) may run longer: its route starts it and answers 202 (infra/job-starter.ts).
 */
export const HTTP_TIMEOUT_LIMIT_SECONDS = 29;

/** Whether the entry's routes are served by a starter answering 202 rather than by the function itself. */
export const startedOverHttp = (fn: FunctionDefinition): boolean =>
  fn.routes.length > 0 && fn.timeoutSeconds > HTTP_TIMEOUT_LIMIT_SECONDS;

/** Each manifest entry is served over HTTP, run on a schedule, or both; anything else would deploy nothing. */
export function checkFunctions(functions: readonly FunctionDefinition[]): void {
  const seen = new Set<string>();
  for (const fn of functions) {
    if (seen.has(fn.slug)) throw new Error(`functions/manifest.ts lists "${fn.slug}" twice`);
    seen.add(fn.slug);
    if (fn.routes.length === 0 && !fn.schedule) throw new Error(`"${fn.slug}" has neither routes nor a schedule`);
    if (startedOverHttp(fn) && !fn.schedule) {
      throw new Error(`"${fn.slug}": a function behind an HTTP route must finish within API Gateway's 30 s — timeoutSeconds ${fn.timeoutSeconds} > ${HTTP_TIMEOUT_LIMIT_SECONDS}`);
    }
  }
}

// SST stacks are plain functions of the app; the stage's config travels with the app object.
const configs = new WeakMap<object, StageConfig>();

export function provideStageConfig(app: object, config: StageConfig): void {
  configs.set(app, config);
}

export function useStageConfig(app: object): StageConfig {
  const config = configs.get(app);
  if (!config) throw new Error("no stage config for this app: add the stacks with addStacks() from infra/app.ts");
  return config;
}
