// Stack order in every database mode: a cluster of the stage's own, a database in the shared preview cluster
// (every branch stage's default), and an external DATABASE_URL — where nothing in the function stacks refers
// to the Database stack, so only an explicit dependency keeps new code from going live before its migration.
// Small apps (one webhook, one routeless job) keep these synths quick; infra/stacks.test.ts has the full ones.
// cdk-nag runs here too, so the shared mode passes the AwsSolutions pack like the others.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { FunctionDefinition } from "../functions/manifest.ts";
import type { StageConfig } from "./config.ts";
import { SHARED_DATABASE_STAGE } from "./stage.ts";
import { nagFindings, synthesize } from "./synthesize.ts";

const JOB: FunctionDefinition = {
  slug: "nightly-job", routes: [], auth: "service_role", secrets: ["DATABASE_URL"], timeoutSeconds: 120, schedule: "cron(0 3 * * ? *)",
};
const MODES: Record<string, StageConfig["database"]> = {
  aurora: { kind: "aurora" },
  shared: { kind: "shared" },
  external: { kind: "external", urlSecret: "ips/preview/DATABASE_URL" },
};
const outdirs: string[] = [];

afterAll(() => {
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

it("the preview-shared stage (the account's preview cluster) passes cdk-nag too", async () => {
  const outdir = mkdtempSync(join(tmpdir(), `ips-synth-${SHARED_DATABASE_STAGE}-`));
  outdirs.push(outdir);
  const { assembly } = await synthesize({ stage: SHARED_DATABASE_STAGE, outdir, nag: true });
  expect(assembly.stacks.map((s) => s.stackName)).toEqual([`${SHARED_DATABASE_STAGE}-ips-integrations-SharedDatabase`]);
  expect(nagFindings(assembly)).toEqual([]);
}, 600_000);

describe.each(Object.keys(MODES))("database mode %s", (mode) => {
  it("deploys Webhooks, Admin and ScheduledJobs after the Database stack, and passes cdk-nag", async () => {
    const stage = `order-${mode}`;
    const outdir = mkdtempSync(join(tmpdir(), `ips-synth-${stage}-`));
    outdirs.push(outdir);
    const { assembly } = await synthesize({
      stage, outdir, nag: true,
      configure: (config) => ({
        ...config,
        database: MODES[mode]!,
        functions: [...config.functions.filter((fn) => fn.slug === "stripe-webhook" || fn.slug === "admin-health"), JOB],
        lambdaEntry: (slug) => config.lambdaEntry(slug === JOB.slug ? "stripe-webhook" : slug),
      }),
    });
    const byName = (suffix: string) => assembly.stacks.find((s) => s.stackName === `${stage}-ips-integrations-${suffix}`)!;
    for (const suffix of ["Webhooks", "Admin", "ScheduledJobs"]) {
      expect(byName(suffix).dependencies.map((d) => d.id), suffix).toContain(byName("Database").id);
    }
    expect(nagFindings(assembly)).toEqual([]);
  }, 600_000);
});
