// What the stripe-webhook function ships: its handler bundled for a Web-standard runtime (Lambda/Deno alike)
// with esbuild, minified, nothing external but `node:*` builtins — and whether the Stripe SDK slipped in.
import { build } from "esbuild";
import { gzipSync } from "node:zlib";
import { fileURLToPath } from "node:url";

const ENTRY = fileURLToPath(new URL("../functions/stripe-webhook/handler.ts", import.meta.url));

export interface BundleReport {
  entry: string;
  minifiedBytes: number;
  gzipBytes: number;
  /** Bytes of the output per npm package (`(ours)` for the repository's own code). */
  bytesByPackage: Record<string, number>;
  includesStripe: boolean;
  /** `node:*` (or other) imports left external in the bundle; none means it needs no Node builtins. */
  externalImports: string[];
}

function packageOf(inputPath: string): string {
  const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(inputPath);
  return match ? match[1]! : "(ours)";
}

export async function benchBundle(): Promise<BundleReport> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    // `neutral` resolves no package.json main fields by default; take what a browser/edge bundler takes.
    mainFields: ["module", "main"],
    conditions: ["worker", "browser", "import"],
    external: ["node:*"],
    write: false,
    metafile: true,
    logLevel: "silent",
  });
  const output = result.outputFiles[0]!;
  const meta = Object.values(result.metafile.outputs)[0]!;
  const bytesByPackage: Record<string, number> = {};
  for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
    const name = packageOf(input);
    bytesByPackage[name] = (bytesByPackage[name] ?? 0) + bytesInOutput;
  }
  return {
    entry: "functions/stripe-webhook/handler.ts",
    minifiedBytes: output.contents.byteLength,
    gzipBytes: gzipSync(output.contents).byteLength,
    bytesByPackage,
    includesStripe: Object.keys(meta.inputs).some((input) => packageOf(input) === "stripe"),
    externalImports: [...new Set(meta.imports.filter((i) => i.external).map((i) => i.path))].sort(),
  };
}
