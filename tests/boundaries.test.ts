// The house rules of DESIGN.md "Boundaries", read off the source: a function's folder imports only
// functions/_shared/, the runtime entries and its own files — never another function's folder — and infra/
// has no import circles. Both are checked on every relative import (static, dynamic and `import type`).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const FUNCTIONS_DIR = join(ROOT, "functions");
/** Folders under functions/ that are not functions. */
const NOT_FUNCTIONS = new Set(["_shared", "runtimes"]);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "node_modules" ? [] : sourceFiles(path);
    return /\.(ts|mjs|js)$/.test(name) ? [path] : [];
  });
}

/** Absolute paths of the relative modules a file imports. */
export function relativeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1]!);
  return specifiers.map((spec) => resolve(dirname(file), spec));
}

/** The function folder a path is in (`stripe-webhook`), or undefined for _shared, runtimes and the top level. */
function functionOf(path: string): string | undefined {
  const rel = relative(FUNCTIONS_DIR, path);
  if (rel.startsWith("..")) return undefined;
  const [first, ...rest] = rel.split(sep);
  return rest.length > 0 && !NOT_FUNCTIONS.has(first!) ? first : undefined;
}

describe("boundaries", () => {
  it("no file in a function's folder imports another function's folder (tests included)", () => {
    const crossings = sourceFiles(FUNCTIONS_DIR).flatMap((file) => {
      const own = functionOf(file);
      if (!own) return [];
      return relativeImports(file)
        .filter((target) => { const other = functionOf(target); return other !== undefined && other !== own; })
        .map((target) => `${relative(ROOT, file)} → ${relative(ROOT, target)}`);
    });
    expect(crossings).toEqual([]);
  });

  it("functions/_shared imports no function's folder (it is what functions share, not the reverse)", () => {
    const crossings = sourceFiles(join(FUNCTIONS_DIR, "_shared"))
      .flatMap((file) => relativeImports(file).filter((t) => functionOf(t) !== undefined).map((t) => `${relative(ROOT, file)} → ${relative(ROOT, t)}`));
    expect(crossings).toEqual([]);
  });

  it("infra/ has no import circle", () => {
    const infra = join(ROOT, "infra");
    const files = sourceFiles(infra).filter((f) => !f.endsWith(".test.ts"));
    const edges = new Map(files.map((f) => [f, relativeImports(f).filter((t) => t.startsWith(infra + sep))]));
    const circles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "visiting") {
        circles.push([...path.slice(path.indexOf(file)), file].map((f) => relative(ROOT, f)).join(" → "));
        return;
      }
      state.set(file, "visiting");
      for (const next of edges.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, "done");
    };
    for (const file of files) visit(file, []);
    expect(circles).toEqual([]);
  });
});
