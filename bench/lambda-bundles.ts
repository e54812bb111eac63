// Every manifest function's Lambda bundle, built exactly as the IaC builds it (infra/bundling.ts: esbuild,
// minified ESM for Node 22, the secrets preload injected, the AWS SDK left to the runtime): its size, what
// is in it, and whether the Stripe SDK or the embedded PGlite slipped in. Target: webhooks ≤ 60 KB.
import { build } from "esbuild";
import { existsSync } from "node:fs";
import { relative } from "node:path";
import { gzipSync } from "node:zlib";
import { FUNCTIONS } from "../functions/manifest.ts";
import { lambdaEsbuildOptions } from "../infra/bundling.ts";
import { lambdaEntry, REPO_ROOT } from "../infra/paths.ts";

export const WEBHOOK_BUNDLE_TARGET_BYTES = 60 * 1024;

export interface LambdaBundle {
  slug: string;
  webhook: boolean;
  entry: string;
  /** Undefined when the function has no lambda.ts yet. */
  minifiedBytes: number | undefined;
  gzipBytes: number | undefined;
  includesStripe: boolean;
  includesPglite: boolean;
  /** The largest contributors, `(ours)` being the repository's own code. */
  topPackages: [string, number][];
}

function packageOf(inputPath: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match ? match[1]! : "(ours)";
}

export async function benchLambdaBundles(): Promise<LambdaBundle[]> {
  const bundles: LambdaBundle[] = [];
  for (const fn of FUNCTIONS) {
    const entry = lambdaEntry(fn.slug);
    const common = { slug: fn.slug, webhook: fn.auth === "signature", entry: relative(REPO_ROOT, entry) };
    if (!existsSync(entry)) {
      bundles.push({ ...common, minifiedBytes: undefined, gzipBytes: undefined, includesStripe: false, includesPglite: false, topPackages: [] });
      continue;
    }
    const result = await build({ ...lambdaEsbuildOptions(entry), write: false, metafile: true });
    const output = result.outputFiles[0]!;
    const inputs = Object.values(result.metafile.outputs)[0]!.inputs;
    const byPackage: Record<string, number> = {};
    for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
      byPackage[packageOf(input)] = (byPackage[packageOf(input)] ?? 0) + bytesInOutput;
    }
    const packages = Object.keys(byPackage);
    bundles.push({
      ...common,
      minifiedBytes: output.contents.byteLength,
      gzipBytes: gzipSync(output.contents).byteLength,
      includesStripe: packages.includes("stripe"),
      includesPglite: packages.some((name) => name.startsWith("@electric-sql/")),
      topPackages: Object.entries(byPackage).sort((a, b) => b[1] - a[1]).slice(0, 5),
    });
  }
  return bundles;
}
