import { importEncryptionKey, parseKeyMaterial, type EncryptionKey } from "./crypto/encryption-key.ts";

/** Everything a function reads from its environment, parsed once per cold start. */
export interface Config {
  /** Absent in local dev, where the embedded PGlite is used instead. */
  databaseUrl: string | undefined;
  encryptionKey: EncryptionKey;
  /** Older keys still accepted for decryption while `ENCRYPTION_KEY` rotates. */
  previousEncryptionKeys: EncryptionKey[];
  /**
   * Signs admin bearer tokens (HS256). Absent only where loadConfig was told it is not needed: functions that
   * never verify a token (webhooks, whose manifest secrets leave it out); there every HS256 token is refused.
   */
  supabaseJwtSecret: string | undefined;
  supabaseUrl: string | undefined;
  appUrl: string;
  providerBases: {
    stripeApi: string | undefined;
    docusignOauth: string | undefined;
    docusignApi: string | undefined;
    zoomOauth: string | undefined;
    zoomApi: string | undefined;
    sendgridApi: string | undefined;
  };
  /** Requests allowed per minute (0: no limit), counted in Postgres so every instance shares them. */
  rateLimits: {
    /** Per client IP on each webhook function (`WEBHOOK_RATE_LIMIT_PER_MINUTE`, default 6000). */
    webhookPerMinute: number;
    /** Per signed-in user on each token-authenticated function (`USER_RATE_LIMIT_PER_MINUTE`, default 600). */
    userPerMinute: number;
  };
  /**
   * Proxies of our own in front of the function that append to `x-forwarded-for` (`TRUST_PROXY_HOPS`): the
   * client IP is that many entries from the right. Unset: the runtime's default (dev server 0 — the socket;
   * Supabase 1 — the entry its edge gateway appended). Lambda ignores it: API Gateway's `sourceIp` is the client.
   */
  trustProxyHops: number | undefined;
}

/** A variable that is missing or malformed; the message names it and never echoes its value. */
export class ConfigError extends Error {
  override name = "ConfigError";
  constructor(readonly variable: string, problem: string) {
    super(`${variable} ${problem}`);
  }
}

type Env = Readonly<Record<string, string | undefined>>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function required(env: Env, name: string): string {
  const value = optional(env, name);
  if (!value) throw new ConfigError(name, "is not set");
  return value;
}

function optionalUrl(env: Env, name: string): string | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  // "localhost:12111" parses as a URL with scheme "localhost:", so the scheme is checked too.
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol)) {
    throw new ConfigError(name, "is not a valid http(s) URL");
  }
  return value.replace(/\/+$/, "");
}

function optionalCount(env: Env, name: string, fallback: number): number {
  const value = optional(env, name);
  if (value === undefined) return fallback;
  if (!/^\d{1,9}$/.test(value)) throw new ConfigError(name, "must be a whole number (0 turns the limit off)");
  return Number(value);
}

const MAX_PROXY_HOPS = 10;

function optionalHops(env: Env, name: string): number | undefined {
  const value = optional(env, name);
  if (value === undefined) return undefined;
  if (!/^\d{1,2}$/.test(value) || Number(value) > MAX_PROXY_HOPS) {
    throw new ConfigError(name, `must be a whole number of proxies from 0 to ${MAX_PROXY_HOPS}`);
  }
  return Number(value);
}

async function encryptionKey(name: string, value: string): Promise<EncryptionKey> {
  const material = parseKeyMaterial(value);
  if (!material) throw new ConfigError(name, "must be 64 hex characters, base64 of 32 bytes, or a 32-character string");
  return importEncryptionKey(material);
}

export interface LoadConfigOptions {
  /**
   * Whether `SUPABASE_JWT_SECRET` must be set (default true). The Lambda and Deno runtimes pass whether the
   * function's manifest entry lists it, so a webhook function starts without a secret it never uses.
   */
  requireJwtSecret?: boolean;
}

/**
 * Parses the environment into a `Config`, failing with the first variable that is missing or malformed.
 * Runtimes call it once per cold start with `process.env` or `Deno.env.toObject()`; handlers never read env.
 * @example const config = await loadConfig(process.env);
 */
export async function loadConfig(env: Env, options: LoadConfigOptions = {}): Promise<Config> {
  const current = await encryptionKey("ENCRYPTION_KEY", required(env, "ENCRYPTION_KEY"));
  const previous = await Promise.all(
    (optional(env, "ENCRYPTION_KEYS_OLD") ?? "")
      .split(",")
      .map((k) => k.trim())
      .filter(Boolean)
      .map((k) => encryptionKey("ENCRYPTION_KEYS_OLD", k)),
  );
  const supabaseJwtSecret = (options.requireJwtSecret ?? true)
    ? required(env, "SUPABASE_JWT_SECRET")
    : optional(env, "SUPABASE_JWT_SECRET");
  if (supabaseJwtSecret !== undefined && supabaseJwtSecret.length < 32) throw new ConfigError("SUPABASE_JWT_SECRET", "must be at least 32 characters");

  const databaseUrl = optional(env, "DATABASE_URL");
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL", "must be a postgres:// or postgresql:// URL");
  }

  return {
    databaseUrl,
    encryptionKey: current,
    previousEncryptionKeys: previous,
    supabaseJwtSecret,
    supabaseUrl: optionalUrl(env, "SUPABASE_URL"),
    appUrl: optionalUrl(env, "APP_URL") ?? "http://localhost:3000",
    providerBases: {
      stripeApi: optionalUrl(env, "STRIPE_API_BASE"),
      docusignOauth: optionalUrl(env, "DOCUSIGN_OAUTH_BASE"),
      docusignApi: optionalUrl(env, "DOCUSIGN_API_BASE"),
      zoomOauth: optionalUrl(env, "ZOOM_OAUTH_BASE"),
      zoomApi: optionalUrl(env, "ZOOM_API_BASE"),
      sendgridApi: optionalUrl(env, "SENDGRID_API_BASE"),
    },
    rateLimits: {
      // Generous: providers deliver every school's webhooks from a few shared addresses.
      webhookPerMinute: optionalCount(env, "WEBHOOK_RATE_LIMIT_PER_MINUTE", 6000),
      userPerMinute: optionalCount(env, "USER_RATE_LIMIT_PER_MINUTE", 600),
    },
    trustProxyHops: optionalHops(env, "TRUST_PROXY_HOPS"),
  };
}
