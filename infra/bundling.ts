// How every Lambda is bundled — by NodejsFunction at synth and by `npm run bench` alike, so the figures the
// bench prints are the bytes AWS runs: esbuild (the local one, no Docker), minified ESM for Node 22, only
// what the entry imports. The AWS SDK v3 ships with the Lambda runtime and stays out of the bundle.
import { OutputFormat, type BundlingOptions } from "aws-cdk-lib/aws-lambda-nodejs";
import type { BuildOptions } from "esbuild";
import { join } from "node:path";
import { REPO_ROOT } from "./paths.ts";

export const LAMBDA_TARGET = "node22";

/**
 * Runs before the function's own code in every bundle: turns `<NAME>_SECRET_ID` variables into `<NAME>`
 * from Secrets Manager (see infra/lambda/secrets-preload.ts).
 */
export const SECRETS_PRELOAD = join(REPO_ROOT, "infra", "lambda", "secrets-preload.ts");

const EXTERNAL = ["@aws-sdk/*"];
// ESM builds first: they tree-shake; `main` is the fallback for CommonJS-only packages.
const MAIN_FIELDS = ["module", "main"];
// CommonJS packages bundled into ESM may still `require` Node builtins; give them a real `require`.
const BANNER = "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);";

/** NodejsFunction's `bundling` for a Lambda (the output is `index.mjs`, handler `index.handler`). */
export function lambdaBundling(extra: Partial<BundlingOptions> = {}): BundlingOptions {
  return {
    format: OutputFormat.ESM,
    target: LAMBDA_TARGET,
    minify: true,
    sourceMap: false,
    mainFields: MAIN_FIELDS,
    externalModules: EXTERNAL,
    inject: [SECRETS_PRELOAD],
    banner: BANNER,
    ...extra,
  };
}

/** The same build through esbuild's API (what NodejsFunction runs on its command line). */
export function lambdaEsbuildOptions(entry: string): BuildOptions {
  return {
    entryPoints: [entry],
    bundle: true,
    platform: "node",
    format: "esm",
    target: LAMBDA_TARGET,
    minify: true,
    mainFields: MAIN_FIELDS,
    external: EXTERNAL,
    inject: [SECRETS_PRELOAD],
    banner: { js: BANNER },
    logLevel: "silent",
  };
}
