// Where things are in the repository, found from this file. SST bundles sst.config.ts (and so infra/) into a
// temporary file at the repository root, so `import.meta.url` is not always infra/: walk up to the folder
// holding functions/manifest.ts instead of assuming a fixed depth.
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRepoRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, "functions", "manifest.ts"))) return dir;
    if (dirname(dir) === dir) throw new Error(`no functions/manifest.ts above ${start}`);
  }
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));

/** A manifest function's Lambda entry, by convention: `functions/<slug>/lambda.ts` exporting `handler`. */
export const lambdaEntry = (slug: string): string => join(REPO_ROOT, "functions", slug, "lambda.ts");
