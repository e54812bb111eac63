// The shared preview cluster: the `preview-shared` stage holds the account's one cluster and publishes how to
// reach it; a branch stage creates no cluster, VPC, NAT or proxy, reads the parameters at deploy time, and
// owns a database `ips_<stage>` inside the cluster — created by its migrate function, dropped on removal.
import { Match, Template } from "aws-cdk-lib/assertions";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stageConfig } from "./config.ts";
import { FUNCTION_TAG } from "./lambda-runtime.ts";
import { MIGRATE_FUNCTION } from "./migrations.ts";
import { DROP_STAGE_DATABASE_FUNCTION, SHARED_PARAMETER_PREFIX } from "./shared-database.ts";
import { SHARED_DATABASE_STAGE, stageName } from "./stage.ts";
import { synthesize } from "./synthesize.ts";

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string };
type TemplateJson = { Resources: Record<string, Resource>; Parameters?: Record<string, { Type: string; Default?: string }> };

const BRANCH = "feature/shared-db";
const branchStage = stageName({ branch: BRANCH });
const outdirs: string[] = [];
const templates: Record<"shared" | "branch", Record<string, TemplateJson>> = { shared: {}, branch: {} };
/** cdk-nag AwsSolutions findings left after the accepted ones (infra/nag-suppressions.ts), per stage kind. */
const nagFindings: Record<"shared" | "branch", string[]> = { shared: [], branch: [] };
const saved: Record<string, string | undefined> = {};

async function synth(stage: string, kind: "shared" | "branch"): Promise<Record<string, TemplateJson>> {
  const outdir = mkdtempSync(join(tmpdir(), `ips-synth-${stage}-`));
  outdirs.push(outdir);
  // One function stands for all: what is asserted here is the database wiring, the same for every function.
  const { assembly } = await synthesize({
    stage, outdir, nag: true, configure: (config) => ({ ...config, functions: config.functions.filter((fn) => fn.slug === "stripe-webhook") }),
  });
  nagFindings[kind] = assembly.stacks.flatMap((s) => s.messages
    .filter((m) => m.level !== "info" && String(m.entry.data).startsWith("AwsSolutions-"))
    .map((m) => `${m.id} ${String(m.entry.data).split("\n")[0]}`));
  return Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template as TemplateJson]));
}

const all = (set: Record<string, TemplateJson>) => Object.values(set).flatMap((t) => Object.entries(t.Resources).map(([id, r]) => ({ id, ...r })));
const ofType = (set: Record<string, TemplateJson>, type: string) => all(set).filter((r) => r.Type === type);
const tagged = (set: Record<string, TemplateJson>, slug: string) =>
  ofType(set, "AWS::Lambda::Function").filter((r) => r.Properties?.Tags?.some((t: { Key: string; Value: string }) => t.Key === FUNCTION_TAG && t.Value === slug));

beforeAll(async () => {
  for (const name of ["IPS_DATABASE", "IPS_DATABASE_URL_SECRET"]) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  templates.shared = await synth(SHARED_DATABASE_STAGE, "shared");
  templates.branch = await synth(branchStage, "branch");
}, 120_000);

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) if (value !== undefined) process.env[name] = value;
  for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
});

describe("database kinds", () => {
  it("branch stages share the preview cluster; production and preview-shared have their own; IPS_DATABASE overrides", () => {
    expect(stageConfig(branchStage, {}).database).toEqual({ kind: "shared" });
    expect(stageConfig("production", {}).database).toEqual({ kind: "aurora" });
    expect(stageConfig(SHARED_DATABASE_STAGE, {})).toMatchObject({ database: { kind: "aurora" }, removal: "retain", production: false });
    expect(stageConfig(branchStage, { IPS_DATABASE: "aurora" }).database).toEqual({ kind: "aurora" });
    expect(stageConfig(branchStage, { IPS_DATABASE_URL_SECRET: "ips/preview/DATABASE_URL" }).database.kind).toBe("external");
    expect(() => stageConfig("production", { IPS_DATABASE: "shared" })).toThrow(/has a cluster of its own/);
    expect(() => stageConfig(branchStage, { IPS_DATABASE: "mysql" })).toThrow(/IPS_DATABASE must be/);
  });
});

describe("cdk-nag", () => {
  it("the shared cluster's stage and a branch stage pass the AwsSolutions pack (accepted findings aside)", () => {
    expect(nagFindings.shared).toEqual([]);
    expect(nagFindings.branch).toEqual([]);
  });
});

describe("the preview-shared stage", () => {
  it("is one stack: the cluster (retained), its proxy, one NAT, and the parameters branch stages read", () => {
    expect(Object.keys(templates.shared)).toEqual([`${SHARED_DATABASE_STAGE}-ips-integrations-SharedDatabase`]);
    const template = Template.fromJSON(Object.values(templates.shared)[0]!);
    template.resourceCountIs("AWS::RDS::DBCluster", 1);
    template.resourceCountIs("AWS::RDS::DBProxy", 1);
    template.resourceCountIs("AWS::EC2::NatGateway", 1);
    // No application function, no migrations: each branch migrates its own database.
    expect(ofType(templates.shared, "AWS::Lambda::Function").filter((r) => r.Properties?.Tags?.some((t: { Key: string }) => t.Key === FUNCTION_TAG))).toEqual([]);
    template.hasResource("AWS::RDS::DBCluster", { DeletionPolicy: "Retain", Properties: Match.objectLike({ StorageEncrypted: true }) });
    template.hasResource("AWS::SecretsManager::Secret", { DeletionPolicy: "Retain" });
    const names = ofType(templates.shared, "AWS::SSM::Parameter").map((r) => r.Properties!.Name as string).sort();
    expect(names).toEqual([
      "availability-zones", "function-subnet-ids", "functions-security-group-id", "proxy-endpoint", "secret-arn", "vpc-id",
    ].map((n) => `${SHARED_PARAMETER_PREFIX}/${n}`));
  });
});

describe("a branch stage", () => {
  it("creates no cluster, proxy, VPC or NAT of its own", () => {
    for (const type of ["AWS::RDS::DBCluster", "AWS::RDS::DBProxy", "AWS::EC2::VPC", "AWS::EC2::NatGateway", "AWS::SecretsManager::Secret"]) {
      expect(ofType(templates.branch, type), type).toEqual([]);
    }
  });

  it("reads exactly the parameters the shared stack publishes, at deploy time", () => {
    const published = ofType(templates.shared, "AWS::SSM::Parameter").map((r) => r.Properties!.Name as string).sort();
    const read = new Set(Object.values(templates.branch).flatMap((t) =>
      Object.values(t.Parameters ?? {}).filter((p) => p.Type === "AWS::SSM::Parameter::Value<String>").map((p) => p.Default!).filter((name) => !name.startsWith("/cdk-bootstrap/"))));
    expect([...read].sort()).toEqual(published);
  });

  it("its functions and migrate run in the shared VPC and use the database ips_<stage> through the proxy", () => {
    const database = `ips_${branchStage.replace(/-/g, "_")}`;
    for (const slug of ["stripe-webhook", MIGRATE_FUNCTION, DROP_STAGE_DATABASE_FUNCTION]) {
      const [fn] = tagged(templates.branch, slug);
      expect(fn, slug).toBeDefined();
      const env = fn!.Properties!.Environment.Variables as Record<string, unknown>;
      expect(env.DATABASE_NAME, slug).toBe(database);
      expect(JSON.stringify(env.DATABASE_HOST), slug).toMatch(/SsmParameterValue.*proxyendpoint/i);
      expect(JSON.stringify(env.DATABASE_URL_SECRET_ID), slug).toMatch(/SsmParameterValue.*secretarn/i);
      expect(JSON.stringify(fn!.Properties!.VpcConfig), slug).toMatch(/functionssecuritygroupid/i);
    }
    expect(tagged(templates.branch, MIGRATE_FUNCTION)[0]!.Properties!.Environment.Variables.CREATE_DATABASE_IF_ABSENT).toBe("true");
    expect(tagged(templates.branch, "stripe-webhook")[0]!.Properties!.Environment.Variables.CREATE_DATABASE_IF_ABSENT).toBeUndefined();
  });

  it("drops its database when the stage is removed: a Custom::StageDatabase answered by the drop function", () => {
    const [resource] = ofType(templates.branch, "Custom::StageDatabase");
    expect(resource?.Properties).toMatchObject({ DatabaseName: `ips_${branchStage.replace(/-/g, "_")}` });
    const [drop] = tagged(templates.branch, DROP_STAGE_DATABASE_FUNCTION);
    expect(resource!.Properties!.ServiceToken).toEqual({ "Fn::GetAtt": [drop!.id, "Arn"] });
    expect(resource!.DeletionPolicy).toBe("Delete");
  });

  it("fails its Custom::StageDatabase after minutes, not CloudFormation's default hour, when the function never answers", () => {
    const [resource] = ofType(templates.branch, "Custom::StageDatabase");
    // CloudFormation's property is whole seconds as a string (AWS::CloudFormation::CustomResource ServiceTimeout, 1-3600).
    expect(resource!.Properties!.ServiceTimeout).toBe("300");
  });
});
