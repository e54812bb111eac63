// Test support: a Lambda bundle built exactly as the IaC builds it (infra/bundling.ts, the secrets preload
// injected), run the way the Lambda runtime runs it — a fresh Node process that imports the bundle (INIT:
// top-level code, the secrets preload) and then calls `handler` with each event. The AWS SDK stays external,
// as on Lambda, and resolves from the repository's node_modules, so bundles are written below it.
import { build } from "esbuild";
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { lambdaEsbuildOptions } from "../bundling.ts";
import { REPO_ROOT } from "../paths.ts";

/** A folder for bundles inside the repository (see above); remove it with `rmSync(dir, { recursive: true })`. */
export function bundleDir(label: string): string {
  const cache = join(REPO_ROOT, "node_modules", ".cache");
  mkdirSync(cache, { recursive: true });
  return mkdtempSync(join(cache, `ips-${label}-`));
}

/** Builds `entry` the IaC's way into `<dir>/<name>/index.mjs` and returns that path. */
export async function bundleLambda(entry: string, dir: string, name = "fn"): Promise<string> {
  const outfile = join(dir, name, "index.mjs");
  await build({ ...lambdaEsbuildOptions(entry), outfile });
  return outfile;
}

export interface BundleRun {
  code: number | null;
  /** The bundle was imported without throwing (the Lambda runtime's INIT phase). */
  initOk: boolean;
  /** `handler`'s result for each event, in order. */
  results: unknown[];
  stdout: string;
  stderr: string;
}

// Runs in the child: INIT, then one invocation per event; results as marked lines on stdout.
const CHILD = `
let mod;
try {
  mod = await import(process.env.IPS_BUNDLE_URL);
} catch (error) {
  process.stderr.write("INIT FAILED: " + (error && error.message) + "\\n");
  process.exit(1);
}
process.stdout.write("@@init ok\\n");
for (const event of JSON.parse(process.env.IPS_EVENTS)) {
  const result = await mod.handler(event, { awsRequestId: "test-request", functionName: "test", getRemainingTimeInMillis: () => 10_000 });
  process.stdout.write("@@result " + JSON.stringify(result) + "\\n");
}
process.exit(0);
`;

/**
 * Runs the bundle in a fresh `node` with only `env` (plus PATH and fake AWS credentials in a region), as a
 * Lambda instance would: no variable of the test process leaks in.
 */
export function runLambdaBundle(bundle: string, env: Record<string, string>, events: unknown[] = []): Promise<BundleRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD], {
      env: {
        PATH: process.env.PATH ?? "",
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
        AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
        ...env,
        IPS_BUNDLE_URL: pathToFileURL(bundle).href,
        IPS_EVENTS: JSON.stringify(events),
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      const lines = stdout.split("\n");
      resolve({
        code,
        initOk: lines.includes("@@init ok"),
        results: lines.filter((l) => l.startsWith("@@result ")).map((l) => JSON.parse(l.slice("@@result ".length)) as unknown),
        stdout,
        stderr,
      });
    });
  });
}

export const removeBundleDir = (dir: string | undefined) => dir && rmSync(dir, { recursive: true, force: true });
