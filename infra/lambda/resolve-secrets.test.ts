import { describe, expect, it } from "vitest";
import { resolveSecretsIntoEnv, type GetSecret, type MutableEnv } from "./resolve-secrets.ts";

const store = (secrets: Record<string, string>): GetSecret & { calls: string[] } => {
  const calls: string[] = [];
  return Object.assign(async (id: string) => {
    calls.push(id);
    return secrets[id];
  }, { calls });
};

describe("resolveSecretsIntoEnv", () => {
  it("sets NAME from the secret NAME_SECRET_ID names, and reports the names it set", async () => {
    const env: MutableEnv = { ENCRYPTION_KEY_SECRET_ID: "ips/preview/ENCRYPTION_KEY", SUPABASE_JWT_SECRET_SECRET_ID: "ips/preview/SUPABASE_JWT_SECRET", APP_URL: "https://x" };
    const getSecret = store({ "ips/preview/ENCRYPTION_KEY": "k".repeat(32), "ips/preview/SUPABASE_JWT_SECRET": "j".repeat(40) });
    expect((await resolveSecretsIntoEnv(env, getSecret)).sort()).toEqual(["ENCRYPTION_KEY", "SUPABASE_JWT_SECRET"]);
    expect(env.ENCRYPTION_KEY).toBe("k".repeat(32));
    expect(env.SUPABASE_JWT_SECRET).toBe("j".repeat(40));
    expect(env.APP_URL).toBe("https://x");
  });

  it("does nothing, and calls nothing, without *_SECRET_ID variables", async () => {
    const getSecret = store({});
    expect(await resolveSecretsIntoEnv({ DATABASE_URL: "postgres://local/db" }, getSecret)).toEqual([]);
    expect(getSecret.calls).toEqual([]);
  });

  it("leaves a variable that is already set alone", async () => {
    const env: MutableEnv = { ENCRYPTION_KEY: "set-by-hand", ENCRYPTION_KEY_SECRET_ID: "ips/preview/ENCRYPTION_KEY" };
    const getSecret = store({ "ips/preview/ENCRYPTION_KEY": "from-secret" });
    await resolveSecretsIntoEnv(env, getSecret);
    expect(env.ENCRYPTION_KEY).toBe("set-by-hand");
    expect(getSecret.calls).toEqual([]);
  });

  it("fails on a missing secret naming the variable and the secret, unless the variable is optional", async () => {
    const env: MutableEnv = { ENCRYPTION_KEYS_OLD_SECRET_ID: "ips/preview/ENCRYPTION_KEYS_OLD" };
    await expect(resolveSecretsIntoEnv({ ...env }, store({}))).rejects.toThrow('ENCRYPTION_KEYS_OLD: secret "ips/preview/ENCRYPTION_KEYS_OLD" does not exist or is empty');
    const optional = { ...env, OPTIONAL_SECRETS: "ENCRYPTION_KEYS_OLD" };
    expect(await resolveSecretsIntoEnv(optional, store({}))).toEqual([]);
    expect(optional).not.toHaveProperty("ENCRYPTION_KEYS_OLD");
  });

  it("names the variable and the error kind when the secret cannot be read", async () => {
    const denied = Object.assign(new Error("User is not authorized ... secret value xyz"), { name: "AccessDeniedException" });
    const error = await resolveSecretsIntoEnv({ ENCRYPTION_KEY_SECRET_ID: "ips/x" }, async () => { throw denied; }).catch((e: Error) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('ENCRYPTION_KEY: cannot read secret "ips/x" (AccessDeniedException) — it does not exist, or this function may not read it');
    expect((error as Error).message).not.toContain("xyz");
  });

  // What Secrets Manager answers for a secret that was never created: AccessDeniedException when the grant
  // names it `<name>-??????` (ours do), ResourceNotFoundException when the caller may read any name.
  const failing = (code: string): GetSecret => async () => {
    throw Object.assign(new Error(`${code} from AWS`), { name: code });
  };

  it.each(["AccessDeniedException", "ResourceNotFoundException"])("skips an optional secret that answers %s", async (code) => {
    const env: MutableEnv = { ENCRYPTION_KEYS_OLD_SECRET_ID: "ips/x/ENCRYPTION_KEYS_OLD", OPTIONAL_SECRETS: "ENCRYPTION_KEYS_OLD" };
    expect(await resolveSecretsIntoEnv(env, failing(code))).toEqual([]);
    expect(env).not.toHaveProperty("ENCRYPTION_KEYS_OLD");
  });

  it("still fails an optional secret on any other error (throttled, KMS), naming the code", async () => {
    const env: MutableEnv = { ENCRYPTION_KEYS_OLD_SECRET_ID: "ips/x/ENCRYPTION_KEYS_OLD", OPTIONAL_SECRETS: "ENCRYPTION_KEYS_OLD" };
    await expect(resolveSecretsIntoEnv(env, failing("DecryptionFailure"))).rejects.toThrow('ENCRYPTION_KEYS_OLD: cannot read secret "ips/x/ENCRYPTION_KEYS_OLD" (DecryptionFailure)');
  });

  it("fails a required secret that does not exist, saying so in one line", async () => {
    const error = await resolveSecretsIntoEnv({ ENCRYPTION_KEY_SECRET_ID: "ips/x/ENCRYPTION_KEY" }, failing("ResourceNotFoundException")).catch((e: Error) => e);
    expect((error as Error).message).toBe('ENCRYPTION_KEY: secret "ips/x/ENCRYPTION_KEY" does not exist (ResourceNotFoundException)');
  });

  it("takes an external DATABASE_URL as it is", async () => {
    const env: MutableEnv = { DATABASE_URL_SECRET_ID: "ips/preview/DATABASE_URL" };
    await resolveSecretsIntoEnv(env, store({ "ips/preview/DATABASE_URL": "postgres://user:pw@pooler.supabase.com:6543/postgres\n" }));
    expect(env.DATABASE_URL).toBe("postgres://user:pw@pooler.supabase.com:6543/postgres");
  });

  it("builds DATABASE_URL from RDS-generated credentials, through the proxy, over verified TLS", async () => {
    const credentials = JSON.stringify({ username: "ips_admin", password: "p@ss:w/rd%#?", host: "cluster.rds.internal", port: 5432, dbname: "ignored", engine: "postgres" });
    const env: MutableEnv = { DATABASE_URL_SECRET_ID: "arn:aws:secretsmanager:…:ClusterSecret", DATABASE_HOST: "proxy.rds.internal", DATABASE_NAME: "ips" };
    await resolveSecretsIntoEnv(env, store({ "arn:aws:secretsmanager:…:ClusterSecret": credentials }));
    const url = new URL(env.DATABASE_URL!);
    expect(url.protocol).toBe("postgres:");
    expect(url.hostname).toBe("proxy.rds.internal");
    expect(url.port).toBe("5432");
    expect(url.pathname).toBe("/ips");
    expect(decodeURIComponent(url.username)).toBe("ips_admin");
    expect(decodeURIComponent(url.password)).toBe("p@ss:w/rd%#?");
    expect(url.searchParams.get("sslmode")).toBe("verify-full");
  });

  it("never puts a secret's text into an error", async () => {
    const env: MutableEnv = { DATABASE_URL_SECRET_ID: "db" };
    const error = await resolveSecretsIntoEnv(env, store({ db: '{"username":"u","password":"TOPSECRET"' })).catch((e: Error) => e);
    expect((error as Error).message).toBe('DATABASE_URL: secret "db" is not valid JSON');
    const incomplete = await resolveSecretsIntoEnv({ DATABASE_URL_SECRET_ID: "db" }, store({ db: '{"password":"TOPSECRET"}' })).catch((e: Error) => e);
    expect((incomplete as Error).message).not.toContain("TOPSECRET");
  });
});
