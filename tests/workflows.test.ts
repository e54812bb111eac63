// The GitHub workflows parse, and do what README → Deploy says: every push tested against a real PostgreSQL
// before anything deploys, one stage per branch (no per-pull-request stage), removal when the branch is
// deleted, the shared preview cluster, production from main after approval, and the Supabase job deploying
// every function of the manifest — no more, no fewer.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FUNCTIONS } from "../functions/manifest.ts";
import { SHARED_DATABASE_STAGE } from "../infra/stage.ts";

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; id?: string; name?: string }
interface Job {
  if?: string; needs?: string | string[]; uses?: string; environment?: string | { name: string };
  services?: Record<string, { image: string }>; env?: Record<string, string>; steps?: Step[];
}
interface Workflow { name: string; on: Record<string, unknown>; permissions?: Record<string, string>; concurrency?: { "cancel-in-progress"?: boolean }; jobs: Record<string, Job> }

const text = (name: string) => readFileSync(new URL(`../.github/workflows/${name}`, import.meta.url), "utf8");
const load = (name: string) => parse(text(name)) as Workflow;
const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");
const environmentOf = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);
const needs = (job: Job) => [job.needs ?? []].flat();

describe("ci.yml", () => {
  const ci = load("ci.yml");

  it("is the test job deploy.yml calls, and runs by itself only for a fork's pull request", () => {
    expect(ci.on).toHaveProperty("workflow_call");
    expect(ci.on).toHaveProperty("pull_request");
    expect(ci.on).not.toHaveProperty("push"); // deploy.yml tests every push: no second run of the suite
    expect(ci.jobs.test!.if).toContain("github.event.pull_request.head.repo.full_name != github.repository");
  });

  it("runs npm ci then npm test against a PostgreSQL service", () => {
    const job = ci.jobs.test!;
    expect(job.services?.postgres?.image).toMatch(/^postgres:\d+/);
    expect(job.env?.DATABASE_URL).toMatch(/^postgres:\/\/.+@localhost:5432\//);
    const commands = (job.steps ?? []).map((s) => s.run).filter(Boolean);
    expect(commands.findIndex((c) => c!.startsWith("npm ci"))).toBeGreaterThanOrEqual(0);
    expect(commands.indexOf("npm test")).toBeGreaterThan(commands.findIndex((c) => c!.startsWith("npm ci")));
    expect(job.steps?.find((s) => s.uses?.startsWith("actions/setup-node"))?.with?.["node-version"]).toBe(20);
  });
});

describe("deploy.yml", () => {
  const deploy = load("deploy.yml");
  const jobs = deploy.jobs;

  it("tests every push (any branch) and reacts to branch deletion, one run per stage at a time", () => {
    expect(deploy.on).toHaveProperty("push");
    expect((deploy.on.push as { branches: string[] }).branches).toEqual(["**"]);
    expect(deploy.on).toHaveProperty("delete");
    expect(jobs.test).toMatchObject({ uses: "./.github/workflows/ci.yml", if: "github.event_name == 'push'" });
    expect(deploy.permissions?.["id-token"]).toBe("write");
    expect(deploy.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("never makes a per-pull-request stage: pull requests preview on their branch's stage", () => {
    expect(deploy.on).not.toHaveProperty("pull_request");
    expect(deploy.on).not.toHaveProperty("pull_request_target");
    expect(text("deploy.yml")).not.toMatch(/\bpr-(\d|\$)|--pull-request|pull_request\.number/);
    expect(readFileSync(new URL("../infra/print-stage.ts", import.meta.url), "utf8")).not.toContain("--pull-request");
  });

  it("every job touching AWS assumes the deploy role through OIDC, with no stored keys", () => {
    expect(text("deploy.yml")).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    for (const [name, job] of Object.entries(jobs)) {
      if (!/sst (deploy|remove)|aws /.test(runs(job))) continue;
      const aws = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(aws?.with?.["role-to-assume"], name).toMatch(/AWS_DEPLOY_ROLE_ARN/);
    }
  });

  it("deploys the branch's stage on a push to any branch but main, only after the tests pass", () => {
    const job = jobs["deploy-branch"]!;
    expect(needs(job)).toContain("test");
    expect(job.if).toContain("github.event_name == 'push'");
    expect(job.if).toContain("github.ref != 'refs/heads/main'");
    expect(environmentOf(job)).toBe("preview");
    expect(JSON.stringify(job.steps)).toContain("github.ref_name");
    expect(runs(job)).toMatch(/infra\/print-stage\.ts --branch/);
    expect(runs(job)).toMatch(/npx sst deploy --stage "\$\{\{ steps\.stage\.outputs\.name \}\}"/);
  });

  it("creates the shared preview cluster before the first branch stage needs it, and keeps it current from main", () => {
    const commands = runs(jobs["deploy-branch"]!);
    const ensure = commands.indexOf(`npx sst deploy --stage ${SHARED_DATABASE_STAGE}`);
    expect(ensure).toBeGreaterThan(0);
    expect(ensure).toBeLessThan(commands.indexOf("npx sst deploy --stage \"${{ steps.stage"));
    // Only when absent: a stack that SST names <stage>-<app>-<stack> (infra/shared-database.test.ts synthesizes it).
    expect(commands).toContain(`aws cloudformation describe-stacks --stack-name ${SHARED_DATABASE_STAGE}-ips-integrations-SharedDatabase`);
    const update = jobs["deploy-preview-database"]!;
    expect(update.if).toContain("github.ref == 'refs/heads/main'");
    expect(needs(update)).toContain("test");
    expect(runs(update)).toContain(`npx sst deploy --stage ${SHARED_DATABASE_STAGE}`);
  });

  it("removes a branch's stage (and so its database) when the branch is deleted, never production's", () => {
    const job = jobs["remove-branch"]!;
    expect(job.if).toContain("github.event_name == 'delete'");
    expect(job.if).toContain("github.event.ref_type == 'branch'");
    expect(job.if).toContain("github.event.ref != 'main'");
    expect(JSON.stringify(job.steps)).toContain("github.event.ref");
    expect(runs(job)).toMatch(/infra\/print-stage\.ts --branch/);
    expect(runs(job)).toMatch(/npx sst remove --stage "\$\{\{ steps\.stage\.outputs\.name \}\}"/);
    for (const [name, other] of Object.entries(jobs)) {
      if (name !== "remove-branch") expect(runs(other), name).not.toMatch(/sst remove/);
    }
  });

  it("deploys production only from main, after the tests and a manual approval", () => {
    for (const name of ["deploy-production", "deploy-supabase"]) {
      const job = jobs[name]!;
      expect(job.if, name).toContain("github.ref == 'refs/heads/main'");
      expect(needs(job), name).toContain("test");
      expect(environmentOf(job), name).toBe("production");
    }
    expect(runs(jobs["deploy-production"]!)).toContain("npx sst deploy --stage production");
    for (const [name, job] of Object.entries(jobs)) {
      if (runs(job).includes("--stage production") || runs(job).includes("supabase ")) expect(environmentOf(job), name).toBe("production");
    }
  });

  it("every job that deploys or removes anything waits for the tests, except removal of a deleted branch", () => {
    for (const [name, job] of Object.entries(jobs)) {
      if (!/sst deploy|supabase (db push|functions deploy)/.test(runs(job))) continue;
      expect(needs(job), name).toContain("test");
    }
  });

  it("the Supabase job pushes the migrations and deploys exactly the manifest's functions", () => {
    const commands = runs(jobs["deploy-supabase"]!);
    expect(commands).toMatch(/supabase link --project-ref/);
    expect(commands).toMatch(/^supabase db push$/m);
    const deployed = [...commands.matchAll(/^\s*supabase functions deploy ([a-z0-9-]+)/gm)].map((m) => m[1]);
    expect(deployed.sort()).toEqual(FUNCTIONS.map((fn) => fn.slug).sort());
    expect(commands.indexOf("supabase db push")).toBeLessThan(commands.indexOf("supabase functions deploy"));
  });

  it("pins every action to a version", () => {
    for (const workflow of [deploy, load("ci.yml")]) {
      for (const [name, job] of Object.entries(workflow.jobs)) {
        for (const step of job.steps ?? []) if (step.uses) expect(step.uses, name).toMatch(/@v\d+|@[0-9a-f]{40}$/);
      }
    }
  });
});
