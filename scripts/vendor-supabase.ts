// npm run vendor:supabase — writes web/admin/vendor/supabase.js: @supabase/supabase-js (the version in
// package.json) bundled into one browser ES module exporting `createClient`, so the config page signs in
// with Supabase Auth from its own origin — no CDN, no build step when serving. Run it after upgrading the
// package; tests/admin-page-vendor.test.ts fails while the file and the installed version disagree.
import { build } from "esbuild";
import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";

export const VENDOR_FILE = fileURLToPath(new URL("../web/admin/vendor/supabase.js", import.meta.url));

export async function installedSupabaseVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(new URL("../node_modules/@supabase/supabase-js/package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/** The banner naming the bundled version: the first line of the vendored file. */
export const vendorBanner = (version: string) => `/* @supabase/supabase-js ${version} (MIT) — bundled by scripts/vendor-supabase.ts; do not edit */`;

async function main() {
  const version = await installedSupabaseVersion();
  const result = await build({
    stdin: { contents: 'export { createClient } from "@supabase/supabase-js";', resolveDir: fileURLToPath(new URL("..", import.meta.url)), loader: "js" },
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2020",
    minify: true,
    legalComments: "none",
    banner: { js: vendorBanner(version) },
    write: false,
  });
  await writeFile(VENDOR_FILE, result.outputFiles[0]!.text);
  console.log(`wrote ${VENDOR_FILE} (${result.outputFiles[0]!.text.length} bytes, @supabase/supabase-js ${version})`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
