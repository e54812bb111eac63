import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "../../tests/support/services.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { importEncryptionKey, parseKeyMaterial } from "./crypto/encryption-key.ts";

// The smallest valid environment; each test changes one variable.
const VALID_ENV = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET } as const;

async function configError(env: Record<string, string | undefined>): Promise<ConfigError> {
  const error = await loadConfig(env).then(() => expect.unreachable("loadConfig should have failed"), (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

/** The variable is named, and the value the operator set is not echoed (it may be a secret). */
function expectNamesWithoutValue(error: ConfigError, variable: string, value?: string) {
  expect(error.variable).toBe(variable);
  expect(error.message).toContain(variable);
  if (value) expect(error.message).not.toContain(value);
}

describe("loadConfig", () => {
  it("loads the minimal environment with defaults", async () => {
    const config = await loadConfig(VALID_ENV);
    const expectedKey = await importEncryptionKey(parseKeyMaterial(TEST_ENCRYPTION_KEY)!);
    expect(config.encryptionKey.id).toBe(expectedKey.id);
    expect(config.previousEncryptionKeys).toEqual([]);
    expect(config.supabaseJwtSecret).toBe(TEST_JWT_SECRET);
    expect(config.databaseUrl).toBeUndefined();
    expect(config.supabaseUrl).toBeUndefined();
    expect(config.appUrl).toMatch(/^http:\/\/localhost:\d+$/);
    expect(Object.values(config.providerBases).every((base) => base === undefined)).toBe(true);
  });

  it.each(["ENCRYPTION_KEY", "SUPABASE_JWT_SECRET"])("fails naming %s when it is missing or blank", async (name) => {
    expectNamesWithoutValue(await configError({ ...VALID_ENV, [name]: undefined }), name);
    expectNamesWithoutValue(await configError({ ...VALID_ENV, [name]: "   " }), name);
  });

  it("fails naming ENCRYPTION_KEY, without echoing it, when it is malformed", async () => {
    const badKey = "not-a-valid-key-but-quite-secret-anyway";
    expectNamesWithoutValue(await configError({ ...VALID_ENV, ENCRYPTION_KEY: badKey }), "ENCRYPTION_KEY", badKey);
  });

  it("fails naming SUPABASE_JWT_SECRET, without echoing it, when it is shorter than 32 characters", async () => {
    const shortSecret = "short-but-secret-31-characters!";
    expect(shortSecret).toHaveLength(31);
    expectNamesWithoutValue(await configError({ ...VALID_ENV, SUPABASE_JWT_SECRET: shortSecret }), "SUPABASE_JWT_SECRET", shortSecret);
    await expect(loadConfig({ ...VALID_ENV, SUPABASE_JWT_SECRET: `${shortSecret}x` })).resolves.toBeDefined();
  });

  it("leaves SUPABASE_JWT_SECRET optional when told it is not required, and still checks it when set", async () => {
    const { SUPABASE_JWT_SECRET: _, ...withoutSecret } = VALID_ENV;
    expect((await loadConfig(withoutSecret, { requireJwtSecret: false })).supabaseJwtSecret).toBeUndefined();
    expectNamesWithoutValue(await configError(withoutSecret), "SUPABASE_JWT_SECRET");
    const shortSecret = "short-but-secret";
    const error = await loadConfig({ ...VALID_ENV, SUPABASE_JWT_SECRET: shortSecret }, { requireJwtSecret: false }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expectNamesWithoutValue(error as ConfigError, "SUPABASE_JWT_SECRET", shortSecret);
  });

  it.each([
    ["not a url", "not a URL at all"],
    ["a host without a scheme", "localhost:12111"],
    ["a non-http scheme", "ftp://stripe.example.test"],
  ])("fails naming STRIPE_API_BASE for %s", async (_, value) => {
    expectNamesWithoutValue(await configError({ ...VALID_ENV, STRIPE_API_BASE: value }), "STRIPE_API_BASE", value);
  });

  it("accepts an http(s) STRIPE_API_BASE without its trailing slash", async () => {
    const config = await loadConfig({ ...VALID_ENV, STRIPE_API_BASE: "http://localhost:12111/" });
    expect(config.providerBases.stripeApi).toBe("http://localhost:12111");
  });

  it("parses ENCRYPTION_KEYS_OLD as a comma-separated list in any key form", async () => {
    const oldHex = randomBytes(32).toString("hex");
    const oldBase64 = randomBytes(32).toString("base64");
    const config = await loadConfig({ ...VALID_ENV, ENCRYPTION_KEYS_OLD: ` ${oldHex} ,${oldBase64},, ` });
    const expected = await Promise.all([oldHex, oldBase64].map((k) => importEncryptionKey(parseKeyMaterial(k)!)));
    expect(config.previousEncryptionKeys.map((k) => k.id)).toEqual(expected.map((k) => k.id));
  });

  it("fails naming ENCRYPTION_KEYS_OLD, without echoing it, when one entry is malformed", async () => {
    const badOldKey = "old-key-that-is-too-short";
    const error = await configError({ ...VALID_ENV, ENCRYPTION_KEYS_OLD: `${randomBytes(32).toString("hex")},${badOldKey}` });
    expectNamesWithoutValue(error, "ENCRYPTION_KEYS_OLD", badOldKey);
  });

  it("removes APP_URL's trailing slash", async () => {
    expect((await loadConfig({ ...VALID_ENV, APP_URL: "https://ips.example.test/" })).appUrl).toBe("https://ips.example.test");
    expect((await loadConfig({ ...VALID_ENV, APP_URL: "https://ips.example.test/school//" })).appUrl).toBe("https://ips.example.test/school");
  });

  it.each(["postgres://app:pw@db.example.test:5432/ips", "postgresql://app:pw@db.example.test/ips"])("accepts DATABASE_URL %s", async (url) => {
    expect((await loadConfig({ ...VALID_ENV, DATABASE_URL: url })).databaseUrl).toBe(url);
  });

  it.each(["mysql://app:hunter2@db.example.test/ips", "db.example.test:5432", "https://db.example.test"])(
    "fails naming DATABASE_URL, without echoing it, for %s",
    async (url) => {
      expectNamesWithoutValue(await configError({ ...VALID_ENV, DATABASE_URL: url }), "DATABASE_URL", url);
    },
  );

  it("names the error class so logs and runtimes can tell it apart", async () => {
    expect((await configError({})).name).toBe("ConfigError");
  });
});
