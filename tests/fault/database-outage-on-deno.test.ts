// The database-outage fault suite on Deno, the Supabase runtime: the same file, run by vitest under the `deno`
// npm package (`deno run … vitest.mjs`), whose test workers are then Deno processes. Both runtimes load the
// one postgres.js copy with the closed-socket fix (functions/_shared/db/postgres-js/), so the guarantee the
// suite checks — 503 while the database is cut, every event applied exactly once after — holds on both.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { REAL_DATABASE_URL } from "../support/database.ts";
import { DENO } from "../support/deno-entry.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VITEST = fileURLToPath(new URL("../../node_modules/vitest/vitest.mjs", import.meta.url));

describe.runIf(REAL_DATABASE_URL)("fault: PostgreSQL unreachable mid-run, on Deno (real PostgreSQL only, as on Node)", () => {
  it("passes tests/fault/database-outage.test.ts with Deno test workers", { timeout: 300_000 }, () => {
    const started = performance.now();
    // node_modules holds vitest and its dependencies; the registry is closed so nothing is fetched instead.
    const run = spawnSync(DENO, ["run", "-A", "--node-modules-dir=manual", VITEST, "run", "tests/fault/database-outage.test.ts"], {
      cwd: ROOT, encoding: "utf8", timeout: 290_000, maxBuffer: 16 * 1024 * 1024,
      env: { ...process.env, FAULT_SUITE_RUNTIME: "deno", DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1", NPM_CONFIG_REGISTRY: "http://127.0.0.1:9/" },
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output).toMatch(/Tests\s+5 passed \(5\)/);
    console.log(`fault suite on Deno: ${((performance.now() - started) / 1000).toFixed(1)} s`);
    // The full-size run's figures (FAULT_EVENTS set), as the Deno workers printed them.
    const figures = /^fault \(deno\):.*$/m.exec(output);
    if (figures) console.log(figures[0]);
  });
});
