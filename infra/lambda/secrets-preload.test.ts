// The preload as it runs on Lambda: bundled the IaC's way in front of an entry that reads process.env at
// import, in a fresh Node process, the real AWS SDK talking to a stand-in Secrets Manager on loopback that
// answers as AWS does (AccessDeniedException for a secret that was never created, under our `-??????` grants).
import { join } from "node:path";
import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleDir, bundleLambda, removeBundleDir, runLambdaBundle } from "./bundle-runner.ts";
import { startSecretsManagerStandIn, type SecretsManagerStandIn } from "./secrets-manager-stand-in.ts";

const SECRETS: Record<string, string> = {
  "ips/preview/ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef",
  "ips/preview/SUPABASE_JWT_SECRET": "jwt-secret-that-is-at-least-32-characters",
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:cluster-AbCdEf": JSON.stringify({ username: "ips_admin", password: "pa:ss@word", host: "cluster.internal", port: 5432 }),
};
const ALL = {
  ENCRYPTION_KEY_SECRET_ID: "ips/preview/ENCRYPTION_KEY",
  ENCRYPTION_KEYS_OLD_SECRET_ID: "ips/preview/ENCRYPTION_KEYS_OLD",
  OPTIONAL_SECRETS: "ENCRYPTION_KEYS_OLD",
  SUPABASE_JWT_SECRET_SECRET_ID: "ips/preview/SUPABASE_JWT_SECRET",
  DATABASE_URL_SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cluster-AbCdEf",
  DATABASE_HOST: "proxy.internal",
  DATABASE_NAME: "ips",
};

let dir: string;
let bundle: string;
const standIns: Record<"suffixed" | "any", SecretsManagerStandIn> = {} as never;

beforeAll(async () => {
  dir = bundleDir("preload");
  const entry = join(dir, "entry.ts");
  // Reads the environment at import time, as a runtime's top-level code might: the preload must come first.
  writeFileSync(entry, `const seen = { ...process.env };
export const handler = async () => ({ ENCRYPTION_KEY: seen.ENCRYPTION_KEY, SUPABASE_JWT_SECRET: seen.SUPABASE_JWT_SECRET, DATABASE_URL: seen.DATABASE_URL, ENCRYPTION_KEYS_OLD: seen.ENCRYPTION_KEYS_OLD ?? null });`);
  bundle = await bundleLambda(entry, dir);
  standIns.suffixed = await startSecretsManagerStandIn({ secrets: SECRETS });
  standIns.any = await startSecretsManagerStandIn({ secrets: SECRETS, grant: "any" });
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(standIns).map((s) => s?.close()));
  removeBundleDir(dir);
});

describe("secrets preload in a Lambda bundle", () => {
  // Both answers AWS gives for the optional secret that was never created.
  it.each(["suffixed", "any"] as const)("fills process.env before the function's own code runs; a missing optional secret is skipped (grant: %s)", async (grant) => {
    const sm = standIns[grant];
    const { code, initOk, results, stdout, stderr } = await runLambdaBundle(bundle, { ...ALL, AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.endpoint }, [{}]);
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    expect(initOk).toBe(true);
    const seen = results[0] as Record<string, string | null>;
    expect(seen.ENCRYPTION_KEY).toBe(SECRETS["ips/preview/ENCRYPTION_KEY"]);
    expect(seen.SUPABASE_JWT_SECRET).toBe(SECRETS["ips/preview/SUPABASE_JWT_SECRET"]);
    expect(seen.ENCRYPTION_KEYS_OLD).toBeNull();
    expect(seen.DATABASE_URL).toBe("postgres://ips_admin:pa%3Ass%40word@proxy.internal:5432/ips?sslmode=verify-full");
    expect(stdout).toContain('{"level":"info","msg":"secrets loaded","names":[');
    expect(stdout.split("\n").filter((l) => !l.startsWith("@@")).join("\n")).not.toContain("0123456789abcdef0123456789abcdef");
    expect(sm.requests).toContain("secretsmanager.GetSecretValue ips/preview/ENCRYPTION_KEYS_OLD");
    expect(sm.malformed).toEqual([]);
  });

  it.each([
    ["suffixed", 'SUPABASE_JWT_SECRET: cannot read secret \\"ips/preview/MISSING\\" (AccessDeniedException) — it does not exist, or this function may not read it'],
    ["any", 'SUPABASE_JWT_SECRET: secret \\"ips/preview/MISSING\\" does not exist (ResourceNotFoundException)'],
  ] as const)("fails INIT with one line naming the variable and the secret when a required one is missing (grant: %s)", async (grant, line) => {
    const { code, initOk, stderr } = await runLambdaBundle(bundle, {
      ...ALL, SUPABASE_JWT_SECRET_SECRET_ID: "ips/preview/MISSING", AWS_ENDPOINT_URL_SECRETS_MANAGER: standIns[grant].endpoint,
    });
    expect(code).not.toBe(0);
    expect(initOk).toBe(false);
    expect(stderr).toContain(`{"level":"error","msg":"secrets not loaded","error":"${line}"}`);
    // Once: the failure is not thrown on for the runtime to log a second time (here bundle-runner's "INIT FAILED").
    expect(stderr.split("\n").filter((l) => l.includes("ips/preview/MISSING"))).toHaveLength(1);
    expect(stderr).not.toContain(SECRETS["ips/preview/ENCRYPTION_KEY"]);
  });

  it("does nothing, and loads no SDK, without *_SECRET_ID variables", async () => {
    const before = standIns.suffixed.requests.length;
    const { code, results } = await runLambdaBundle(bundle, { ENCRYPTION_KEY: "plain", AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://127.0.0.1:9" }, [{}]);
    expect(code).toBe(0);
    expect(results[0]).toMatchObject({ ENCRYPTION_KEY: "plain" });
    expect(standIns.suffixed.requests.length).toBe(before);
  });
});
