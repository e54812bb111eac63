import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

// The Deno half of "the same handler on both runtimes": the runtime-tests/deno suite (verifier, webhooks end
// to end, the entry as a process), with the `deno` npm package. Packages resolve from node_modules here
// (`--node-modules-dir=manual` over deno.json's "none"): the registry is pointed at a closed port, so anything
// Deno tried to download would fail the run instead of passing on a machine with network. What Supabase
// deploys — every entry type-checked and served from the registry alone — is tests/deno-clean-room.test.ts.

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const DENO = fileURLToPath(new URL("../node_modules/.bin/deno", import.meta.url));
const DENO_ENV = { ...process.env, DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/" };

function deno(args: string[], timeoutMs: number) {
  const started = performance.now();
  const run = spawnSync(DENO, args, { cwd: ROOT, env: DENO_ENV, encoding: "utf8", timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const output = `$ deno ${args.join(" ")}  (${seconds} s, exit ${run.status}${run.signal ? `, ${run.signal}` : ""})\n${run.stdout}${run.stderr}`;
  return { status: run.status, stdout: run.stdout, output };
}

describe("Deno (Supabase Edge Functions)", () => {
  it("passes runtime-tests/deno (verifier, Stripe webhook end to end, the entry as a process)", { timeout: 120_000 }, () => {
    const run = deno(["test", "--node-modules-dir=manual", "--allow-env", "--allow-read", "--allow-net", "--allow-run", "runtime-tests/deno/"], 110_000);
    expect(run.status, run.output).toBe(0);
    const summary = /^ok \| (\d+) passed(?: \((\d+) steps?\))? \| 0 failed(?: \| (\d+) ignored)?/m.exec(run.stdout);
    expect(summary, run.output).not.toBeNull();
    console.log(run.output.split("\n").filter((line) => /^(\$ deno|ok \||running)/.test(line)).join("\n"));
  });
});

describe("deno.json", () => {
  const denoJson = JSON.parse(readFileSync(`${ROOT}deno.json`, "utf8")) as { imports: Record<string, string>; nodeModulesDir?: string };
  const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, "utf8")) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
  const versions = { ...pkg.devDependencies, ...pkg.dependencies };

  /** Bare specifiers imported by code Deno loads: functions/ minus tests and the Node-only runtimes, and the Deno suite. */
  function bareSpecifiers(): Map<string, string> {
    const found = new Map<string, string>();
    const walk = (dir: string) => {
      for (const entry of readdirSync(`${ROOT}${dir}`, { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (path !== "functions/runtimes/node" && path !== "functions/runtimes/lambda") walk(path);
        } else if (entry.name.endsWith(".ts") && (dir.startsWith("runtime-tests") || !entry.name.endsWith(".test.ts"))) {
          for (const match of readFileSync(`${ROOT}${path}`, "utf8").matchAll(/(?:from|import)\s*\(?\s*"([^".][^"]*)"/g)) {
            if (!match[1]!.startsWith("node:")) found.set(match[1]!, path);
          }
        }
      }
    };
    walk("functions");
    walk("runtime-tests/deno");
    return found;
  }

  it("maps every bare specifier Deno loads to npm: at package.json's exact version", () => {
    const specifiers = bareSpecifiers();
    expect(specifiers.size).toBeGreaterThan(0);
    for (const [specifier, file] of specifiers) {
      const name = specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!;
      expect(denoJson.imports[specifier], `"${specifier}" (imported by ${file}) is not in deno.json's imports`).toBeDefined();
      expect(denoJson.imports[specifier]).toBe(`npm:${name}@${versions[name]}${specifier.slice(name.length)}`);
    }
  });

  it("uses only npm: specifiers, one per subpath, and never node_modules (Supabase's bundler has none)", () => {
    // A "pkg/" prefix map, or nodeModulesDir "manual"/"auto", resolves only against a local node_modules.
    for (const [key, target] of Object.entries(denoJson.imports)) {
      expect(key).not.toMatch(/\/$/);
      expect(target).toMatch(/^npm:(@[\w.-]+\/)?[\w.-]+@\d+\.\d+\.\d+(\/[\w./-]+)?$/);
    }
    expect(denoJson.nodeModulesDir).toBe("none");
  });
});
