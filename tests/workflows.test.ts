// The GitHub workflows parse, and do what README → Deploy says: test on every push with a real PostgreSQL,
// a stage per branch and per pull request, removal on close/delete, production from main after approval,
// and the Supabase job deploying every function of the manifest — no more, no fewer.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { FUNCTIONS } from "../functions/manifest.ts";

interface Step { uses?: string; run?: string; with?: Record<string, unknown>; env?: Record<string, string>; id?: string }
interface Job {
  if?: string; needs?: string | string[]; uses?: string; environment?: string | { name: string };
  services?: Record<string, { image: string }>; env?: Record<string, string>; steps?: Step[];
}
interface Workflow { name: string; on: Record<string, unknown>; permissions?: Record<string, string>; concurrency?: { "cancel-in-progress"?: boolean }; jobs: Record<string, Job> }

const load = (name: string) => parse(readFileSync(new URL(`../.github/workflows/${name}`, import.meta.url), "utf8")) as Workflow;
const runs = (job: Job) => (job.steps ?? []).map((s) => s.run ?? "").join("\n");
const environmentOf = (job: Job) => (typeof job.environment === "string" ? job.environment : job.environment?.name);

describe("ci.yml", () => {
  const ci = load("ci.yml");

  it("runs on every push (no branch filter) and can be called by deploy.yml", () => {
    expect(ci.on).toHaveProperty("push");
    expect((ci.on.push as { branches?: unknown } | null)?.branches).toBeUndefined();
    expect(ci.on).toHaveProperty("workflow_call");
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

  it("reacts to pushes, pull requests (including closed) and branch deletion, one run per stage at a time", () => {
    expect(deploy.on).toHaveProperty("push");
    expect((deploy.on.pull_request as { types: string[] }).types).toEqual(expect.arrayContaining(["opened", "synchronize", "closed"]));
    expect(deploy.on).toHaveProperty("delete");
    expect(deploy.permissions?.["id-token"]).toBe("write");
    expect(deploy.concurrency?.["cancel-in-progress"]).toBe(false);
  });

  it("every job touching AWS assumes the deploy role through OIDC, with no stored keys", () => {
    const text = readFileSync(new URL("../.github/workflows/deploy.yml", import.meta.url), "utf8");
    expect(text).not.toMatch(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY/);
    for (const [name, job] of Object.entries(jobs)) {
      if (!/sst (deploy|remove)/.test(runs(job))) continue;
      const aws = job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"));
      expect(aws?.with?.["role-to-assume"], name).toMatch(/AWS_DEPLOY_ROLE_ARN/);
    }
  });

  it("deploys the branch's stage on a push to any branch but main", () => {
    const job = jobs["deploy-branch"]!;
    expect(job.if).toContain("github.event_name == 'push'");
    expect(job.if).toContain("github.ref != 'refs/heads/main'");
    expect(runs(job)).toMatch(/infra\/print-stage\.ts --branch/);
    expect(runs(job)).toMatch(/npx sst deploy --stage "\$\{\{ steps\.stage\.outputs\.name \}\}"/);
  });

  it("deploys pr-<n> for an open pull request and removes it when the pull request closes", () => {
    const up = jobs["deploy-pull-request"]!;
    const down = jobs["remove-pull-request"]!;
    expect(up.if).toContain("github.event.action != 'closed'");
    expect(down.if).toContain("github.event.action == 'closed'");
    for (const job of [up, down]) {
      expect(runs(job)).toMatch(/--pull-request/);
      expect(JSON.stringify(job.steps)).toContain("github.event.pull_request.number");
    }
    expect(runs(up)).toMatch(/npx sst deploy --stage/);
    expect(runs(down)).toMatch(/npx sst remove --stage/);
  });

  it("removes a branch's stage when the branch is deleted", () => {
    const job = jobs["remove-branch"]!;
    expect(job.if).toContain("github.event_name == 'delete'");
    expect(job.if).toContain("github.event.ref_type == 'branch'");
    expect(JSON.stringify(job.steps)).toContain("github.event.ref");
    expect(runs(job)).toMatch(/npx sst remove --stage/);
  });

  it("deploys production only from main, after the tests and a manual approval", () => {
    expect(jobs.test!.uses).toBe("./.github/workflows/ci.yml");
    for (const name of ["deploy-production", "deploy-supabase"]) {
      const job = jobs[name]!;
      expect(job.if, name).toContain("github.ref == 'refs/heads/main'");
      expect([job.needs].flat(), name).toContain("test");
      expect(environmentOf(job), name).toBe("production");
    }
    expect(runs(jobs["deploy-production"]!)).toContain("npx sst deploy --stage production");
    for (const [name, job] of Object.entries(jobs)) {
      if (runs(job).includes("--stage production")) expect(environmentOf(job), name).toBe("production");
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
