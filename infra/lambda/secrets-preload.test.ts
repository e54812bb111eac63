// The preload as it runs on Lambda: bundled the IaC's way in front of an entry that reads process.env at
// import, in a fresh Node process, the real AWS SDK talking to a stand-in Secrets Manager on loopback.
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lambdaEsbuildOptions } from "../bundling.ts";
import { REPO_ROOT } from "../paths.ts";

const SECRETS: Record<string, string> = {
  "ips/preview/ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef",
  "ips/preview/SUPABASE_JWT_SECRET": "jwt-secret-that-is-at-least-32-characters",
  "arn:aws:secretsmanager:us-east-1:123456789012:secret:cluster-AbCdEf": JSON.stringify({ username: "ips_admin", password: "pa:ss@word", host: "cluster.internal", port: 5432 }),
};

// Node resolves the (external) SDK from the bundle's folder upward, so the bundle sits inside the repository.
const cache = join(REPO_ROOT, "node_modules", ".cache");
let dir: string;
let server: Server;
let endpoint: string;
const requested: string[] = [];

beforeAll(async () => {
  mkdirSync(cache, { recursive: true });
  dir = mkdtempSync(join(cache, "ips-preload-"));
  const entry = join(dir, "entry.ts");
  // Reads the environment at import time, as a runtime's top-level code might: the preload must come first.
  writeFileSync(entry, `const seen = { ...process.env };
export const handler = async () => ({ ENCRYPTION_KEY: seen.ENCRYPTION_KEY, SUPABASE_JWT_SECRET: seen.SUPABASE_JWT_SECRET, DATABASE_URL: seen.DATABASE_URL, ENCRYPTION_KEYS_OLD: seen.ENCRYPTION_KEYS_OLD ?? null });`);
  await build({ ...lambdaEsbuildOptions(entry), outfile: join(dir, "index.mjs") });
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk));
    req.on("end", () => {
      const { SecretId } = JSON.parse(body) as { SecretId: string };
      requested.push(`${req.headers["x-amz-target"]} ${SecretId}`);
      const value = SECRETS[SecretId];
      res.setHeader("content-type", "application/x-amz-json-1.1");
      if (value === undefined) {
        res.statusCode = 400;
        res.setHeader("x-amzn-errortype", "ResourceNotFoundException");
        res.end(JSON.stringify({ __type: "ResourceNotFoundException", message: "Secrets Manager can't find the specified secret." }));
      } else {
        res.end(JSON.stringify({ ARN: SecretId, Name: SecretId, SecretString: value, VersionId: "v1" }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function runBundle(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const script = `const { handler } = await import(${JSON.stringify(join(dir, "index.mjs"))});
process.stdout.write(JSON.stringify(await handler()));`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "example",
        AWS_ENDPOINT_URL_SECRETS_MANAGER: endpoint,
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => (stdout += c));
    child.stderr.on("data", (c: Buffer) => (stderr += c));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("secrets preload in a Lambda bundle", () => {
  it("fills process.env from Secrets Manager before the function's own code runs", async () => {
    const { code, stdout, stderr } = await runBundle({
      ENCRYPTION_KEY_SECRET_ID: "ips/preview/ENCRYPTION_KEY",
      ENCRYPTION_KEYS_OLD_SECRET_ID: "ips/preview/ENCRYPTION_KEYS_OLD",
      OPTIONAL_SECRETS: "ENCRYPTION_KEYS_OLD",
      SUPABASE_JWT_SECRET_SECRET_ID: "ips/preview/SUPABASE_JWT_SECRET",
      DATABASE_URL_SECRET_ID: "arn:aws:secretsmanager:us-east-1:123456789012:secret:cluster-AbCdEf",
      DATABASE_HOST: "proxy.internal",
      DATABASE_NAME: "ips",
    });
    // (Node 20 only: the SDK warns that it will need Node 22, the Lambda runtime's version.)
    expect(stderr).not.toMatch(/error/i);
    expect(code).toBe(0);
    const stdoutLines = stdout.split("\n");
    const seen = JSON.parse(stdoutLines[stdoutLines.length - 1]!) as Record<string, string | null>;
    expect(seen.ENCRYPTION_KEY).toBe(SECRETS["ips/preview/ENCRYPTION_KEY"]);
    expect(seen.SUPABASE_JWT_SECRET).toBe(SECRETS["ips/preview/SUPABASE_JWT_SECRET"]);
    expect(seen.ENCRYPTION_KEYS_OLD).toBeNull();
    expect(seen.DATABASE_URL).toBe("postgres://ips_admin:pa%3Ass%40word@proxy.internal:5432/ips?sslmode=verify-full");
    expect(stdoutLines[0]).toMatch(/^\{"level":"info","msg":"secrets loaded","names":\[/);
    expect(stdout).not.toContain("0123456789abcdef0123456789abcdef\"]");
    expect(requested.filter((r) => r.startsWith("secretsmanager.GetSecretValue")).length).toBeGreaterThanOrEqual(4);
  });

  it("fails the cold start naming the variable and the secret when a required secret is missing", async () => {
    const { code, stderr } = await runBundle({ SUPABASE_JWT_SECRET_SECRET_ID: "ips/preview/MISSING" });
    expect(code).not.toBe(0);
    expect(stderr).toContain('SUPABASE_JWT_SECRET: secret "ips/preview/MISSING" does not exist or is empty');
  });

  it("does nothing, and loads no SDK, without *_SECRET_ID variables", async () => {
    const before = requested.length;
    const { code, stdout } = await runBundle({ ENCRYPTION_KEY: "plain", AWS_ENDPOINT_URL_SECRETS_MANAGER: "http://127.0.0.1:9" });
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ ENCRYPTION_KEY: "plain" });
    expect(requested.length).toBe(before);
  });
});
