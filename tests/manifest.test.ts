import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { Handler } from "../functions/_shared/context.ts";
import { FUNCTIONS } from "../functions/manifest.ts";
import { readSupabaseConfig } from "./support/supabase-config.ts";

// Every function exists on every runtime, and nothing exists that the manifest does not list: adding a
// manifest entry without its handler, Lambda entry, Deno entry or config.toml block fails here.

const FUNCTIONS_DIR = fileURLToPath(new URL("../functions/", import.meta.url));
const SUPABASE_DIR = fileURLToPath(new URL("../supabase/", import.meta.url));
const slugs = FUNCTIONS.map((fn) => fn.slug);
const config = await readSupabaseConfig();
const functionBlocks = Object.keys(config).filter((table) => table.startsWith("functions.")).map((table) => table.slice("functions.".length));
const source = (slug: string, file: string) => readFile(`${FUNCTIONS_DIR}${slug}/${file}`, "utf8");

/** Function folders holding a given entry file (`_shared`, `runtimes` are not functions). */
async function foldersWith(file: string): Promise<string[]> {
  const entries = await readdir(FUNCTIONS_DIR, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory() && existsSync(`${FUNCTIONS_DIR}${e.name}/${file}`)).map((e) => e.name).sort();
}

describe.each(FUNCTIONS.map((fn) => [fn.slug, fn] as const))("manifest function %s", (slug, fn) => {
  it("has a handler.ts exporting a handler", async () => {
    const module = (await import(`${FUNCTIONS_DIR}${slug}/handler.ts`)) as { handler?: Handler };
    expect(typeof module.handler).toBe("function");
  });

  it("has a lambda.ts exporting the Lambda handler for this slug (loading it reads no env and opens no database)", async () => {
    const module = (await import(`${FUNCTIONS_DIR}${slug}/lambda.ts`)) as { handler?: unknown };
    expect(typeof module.handler).toBe("function");
    expect(await source(slug, "lambda.ts")).toContain(`createLambdaHandler("${slug}", `);
  });

  it("has a deno.ts serving this slug's handler", async () => {
    const text = await source(slug, "deno.ts");
    expect(text).toContain(`from "../runtimes/deno/serve.ts"`);
    expect(text).toContain(`from "./handler.ts"`);
    expect(text).toContain(`serveFunction("${slug}", `);
  });

  it(`has a config.toml block pointing at its deno.ts, verify_jwt = ${fn.auth !== "signature"}`, () => {
    const block = config[`functions.${slug}`];
    expect(block).toEqual({
      enabled: true,
      verify_jwt: fn.auth !== "signature",
      import_map: "../deno.json",
      entrypoint: `../functions/${slug}/deno.ts`,
    });
    // The CLI resolves these relative to supabase/ (the folder of config.toml).
    expect(existsSync(`${SUPABASE_DIR}${block!.entrypoint}`)).toBe(true);
    expect(existsSync(`${SUPABASE_DIR}${block!.import_map}`)).toBe(true);
  });
});

describe("nothing outside the manifest", () => {
  it("every config.toml [functions.*] block is a manifest function", () => {
    expect(functionBlocks.sort()).toEqual([...slugs].sort());
  });

  it.each(["lambda.ts", "deno.ts"])("every functions/*/%s belongs to a manifest function", async (file) => {
    expect(await foldersWith(file)).toEqual([...slugs].sort());
  });

  it("config.toml names the project", () => {
    expect(config[""]!.project_id).toMatch(/^[\w-]+$/);
  });
});
