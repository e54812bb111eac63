// The stacks, synthesized offline exactly as `sst deploy` builds them (sst.config.ts → infra/app.ts), once
// per kind of stage, then asserted on the CloudFormation they produce.
import { Match, Template } from "aws-cdk-lib/assertions";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS, type FunctionDefinition } from "../functions/manifest.ts";
import { HTTP_TIMEOUT_LIMIT_SECONDS, startedOverHttp } from "./config.ts";
import { STARTER_TAG } from "./job-starter.ts";
import { FUNCTION_TAG } from "./lambda-runtime.ts";
import { DATA_RESOURCE_TYPES } from "./removal-policies.ts";
import { MIGRATE_FUNCTION, MIGRATIONS_DIR } from "./migrations.ts";
import { REPO_ROOT } from "./paths.ts";
import { nagFindings, synthesize } from "./synthesize.ts";

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] };
type TemplateJson = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };

interface Synth {
  outdir: string;
  /** Stack name → template. */
  templates: Record<string, TemplateJson>;
  /** Stack name → the stacks it is deployed after. */
  dependencies: Record<string, string[]>;
  /** cdk-nag AwsSolutions findings left after the accepted ones (infra/nag-suppressions.ts). */
  nagFindings: string[];
}

// Recognizable values in every variable a careless stack might copy into a template.
const CANARIES = {
  ENCRYPTION_KEY: "CANARYenc0123456789abcdef0123456",
  ENCRYPTION_KEYS_OLD: "CANARYold0123456789abcdef0123456",
  SUPABASE_JWT_SECRET: "CANARYjwt-secret-that-is-at-least-32-characters",
  DATABASE_URL: "postgres://canary:CANARYdbpassword@db.example.com:5432/ips",
};
const EXTERNAL_URL_SECRET = "ips/preview/DATABASE_URL";
const JOB: FunctionDefinition = {
  slug: "retry-webhooks", routes: [], auth: "service_role", secrets: ["DATABASE_URL", "ENCRYPTION_KEY"], timeoutSeconds: 60,
  schedule: "rate(5 minutes)",
};

const synths: Record<"production" | "preview" | "external", Synth> = {} as never;
const saved: Record<string, string | undefined> = {};
// A stand-in for web/ with a page in it (the real web/ may still be empty).
const webDir = mkdtempSync(join(tmpdir(), "ips-web-"));
writeFileSync(join(webDir, "index.html"), "<!doctype html><title>IPS</title>");
const webHasFiles = (dir: string) => existsSync(dir) && readdirSync(dir).some((name) => !name.startsWith("."));

// One cloud assembly directory for every stage: CDK stages an asset once per directory and process, so the
// stages after the first reuse its bundles (identical code and bundling) instead of running esbuild again for
// every function — most of a synth's time. Templates are named after their stage's stacks and never collide.
const outdir = mkdtempSync(join(tmpdir(), "ips-synth-"));

async function synth(stage: string, options: { jobs?: boolean } = {}): Promise<Synth> {
  const { assembly } = await synthesize({
    stage,
    outdir,
    nag: true,
    ...(options.jobs && {
      configure: (config) => ({
        ...config,
        functions: [...config.functions, JOB],
        webDir,
        // The job's code is not written yet: any real entry bundles the same way.
        lambdaEntry: (slug) => config.lambdaEntry(slug === JOB.slug ? "stripe-webhook" : slug),
      }),
    }),
  });
  const templates = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.template as TemplateJson]));
  const nameOf = (id: string) => assembly.stacks.find((s) => s.id === id)?.stackName ?? id;
  const dependencies = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, s.dependencies.map((d) => nameOf(d.id))]));
  return { outdir, templates, dependencies, nagFindings: nagFindings(assembly) };
}

beforeAll(async () => {
  for (const name of [...Object.keys(CANARIES), "IPS_DATABASE", "IPS_DATABASE_URL_SECRET", "IPS_SECRETS_PREFIX", "IPS_APP_URL", "IPS_SUPABASE_URL"]) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  Object.assign(process.env, CANARIES);
  synths.production = await synth("production");
  // A non-production stage with a cluster of its own (branch stages default to the shared preview cluster:
  // infra/shared-database.test.ts).
  process.env.IPS_DATABASE = "aurora";
  synths.preview = await synth("pr-7");
  delete process.env.IPS_DATABASE;
  process.env.IPS_DATABASE_URL_SECRET = EXTERNAL_URL_SECRET;
  synths.external = await synth("pr-8", { jobs: true });
  // Three full synths, every function bundled once (the first stage): a minute on a busy machine.
}, 900_000);

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  rmSync(outdir, { recursive: true, force: true });
  rmSync(webDir, { recursive: true, force: true });
});

// ---- helpers over the synthesized JSON -------------------------------------------------------------------

const resources = (s: Synth, type: string) =>
  Object.entries(s.templates).flatMap(([stack, t]) =>
    Object.entries(t.Resources).filter(([, r]) => r.Type === type).map(([id, r]) => ({ stack, id, r })));

const tagOf = (r: Resource, key: string) => (r.Properties?.Tags as { Key: string; Value: string }[] | undefined)?.find((t) => t.Key === key)?.Value;

/** Manifest (and migrate) functions by slug; with STARTER_TAG, the job starters by their job's slug. */
function functionsBySlug(s: Synth, tag = FUNCTION_TAG) {
  const found: Record<string, { stack: string; id: string; r: Resource }[]> = {};
  for (const fn of resources(s, "AWS::Lambda::Function")) {
    const slug = tagOf(fn.r, tag);
    if (slug) (found[slug] ??= []).push(fn);
  }
  return found;
}

const kinds = ["production", "preview", "external"] as const;

// ---- tests -----------------------------------------------------------------------------------------------

describe.each(kinds)("%s stage", (kind) => {
  const s = () => synths[kind];

  it("names every stack after the stage", () => {
    const stage = { production: "production", preview: "pr-7", external: "pr-8" }[kind];
    const names = Object.keys(s().templates).sort();
    const expected = ["Admin", "Api", "Database", "Site", "Webhooks", ...(kind === "external" ? ["ScheduledJobs"] : [])];
    expect(names).toEqual(expected.map((id) => `${stage}-ips-integrations-${id}`).sort());
  });

  it("has exactly one Node 22 Lambda per manifest entry, with the manifest's timeout", () => {
    const bySlug = functionsBySlug(s());
    const manifest = kind === "external" ? [...FUNCTIONS, JOB] : FUNCTIONS;
    expect(Object.keys(bySlug).sort()).toEqual([...manifest.map((f) => f.slug), MIGRATE_FUNCTION].sort());
    for (const definition of manifest) {
      expect(bySlug[definition.slug], definition.slug).toHaveLength(1);
      const props = bySlug[definition.slug]![0]!.r.Properties!;
      expect(props).toMatchObject({ Runtime: "nodejs22.x", Handler: "index.handler", Timeout: definition.timeoutSeconds, Architectures: ["arm64"] });
    }
  });

  it("routes every manifest route, exactly as written, to its function (a long job: to its starter) through a Lambda proxy integration", () => {
    const bySlug = functionsBySlug(s());
    const starters = functionsBySlug(s(), STARTER_TAG);
    const routes = resources(s(), "AWS::ApiGatewayV2::Route");
    expect(routes).toHaveLength(FUNCTIONS.flatMap((f) => f.routes).length);
    for (const definition of FUNCTIONS) {
      const fn = (startedOverHttp(definition) ? starters : bySlug)[definition.slug]![0]!;
      for (const route of definition.routes) {
        const routeKey = `${route.method} ${route.path}`;
        const found = routes.filter(({ r }) => r.Properties!.RouteKey === routeKey);
        expect(found, routeKey).toHaveLength(1);
        const { stack, r } = found[0]!;
        expect(stack).toBe(fn.stack);
        const integrationId = (r.Properties!.Target as { "Fn::Join": [string, [string, { Ref: string }]] })["Fn::Join"][1][1].Ref;
        const integration = s().templates[stack]!.Resources[integrationId]!;
        expect(integration.Type).toBe("AWS::ApiGatewayV2::Integration");
        expect(integration.Properties).toMatchObject({
          IntegrationType: "AWS_PROXY",
          PayloadFormatVersion: "2.0",
          IntegrationUri: { "Fn::GetAtt": [fn.id, "Arn"] },
        });
      }
      const template = Template.fromJSON(s().templates[fn.stack]!);
      template.hasResourceProperties("AWS::Lambda::Permission", {
        Action: "lambda:InvokeFunction",
        Principal: "apigateway.amazonaws.com",
        FunctionName: { "Fn::GetAtt": [fn.id, "Arn"] },
      });
    }
  });

  it("passes secrets by reference only: no value in any template or bundle, *_SECRET_ID names instead", () => {
    const files = readdirSync(s().outdir, { recursive: true, withFileTypes: true })
      .filter((f) => f.isFile() && /\.(json|mjs)$/.test(f.name))
      .map((f) => join(f.parentPath, f.name));
    expect(files.filter((f) => f.endsWith(".template.json")).length).toBeGreaterThanOrEqual(5);
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      for (const [name, value] of Object.entries(CANARIES)) expect(text.includes(value), `${name} in ${file}`).toBe(false);
    }
    const bySlug = functionsBySlug(s());
    for (const definition of FUNCTIONS) {
      const variables = bySlug[definition.slug]![0]!.r.Properties!.Environment.Variables as Record<string, unknown>;
      for (const name of definition.secrets) {
        expect(variables, definition.slug).not.toHaveProperty(name);
        expect(variables, definition.slug).toHaveProperty(`${name}_SECRET_ID`);
      }
    }
  });

  it("grants each function read access to its manifest's secrets and no other", () => {
    const prefix = kind === "production" ? "ips/production" : "ips/preview";
    for (const definition of FUNCTIONS) {
      const fn = functionsBySlug(s())[definition.slug]![0]!;
      const template = s().templates[fn.stack]!;
      const role = fn.r.Properties!.Role["Fn::GetAtt"][0] as string;
      const policies = Object.values(template.Resources).filter(
        (r) => r.Type === "AWS::IAM::Policy" && JSON.stringify(r.Properties!.Roles).includes(role),
      );
      const text = JSON.stringify(policies);
      for (const name of ["ENCRYPTION_KEY", "ENCRYPTION_KEYS_OLD", "SUPABASE_JWT_SECRET"] as const) {
        expect(text.includes(`secret:${prefix}/${name}-??????`), `${definition.slug} ${name}`).toBe(definition.secrets.includes(name));
      }
    }
  });

  it("sets a log retention on every Lambda, including those CDK and SST add", () => {
    const days = kind === "production" ? 90 : 14;
    const functions = resources(s(), "AWS::Lambda::Function");
    expect(functions.length).toBeGreaterThan(FUNCTIONS.length);
    for (const { stack, id, r } of functions) {
      const logGroupId = (r.Properties!.LoggingConfig?.LogGroup as { Ref?: string } | undefined)?.Ref;
      expect(logGroupId, `${stack}/${id}`).toBeDefined();
      const logGroup = s().templates[stack]!.Resources[logGroupId!]!;
      expect(logGroup.Type).toBe("AWS::Logs::LogGroup");
      expect(logGroup.Properties!.RetentionInDays, `${stack}/${id}`).toBe(days);
    }
  });

  it("migrates the schema on deploy: a Trigger runs the migrate Lambda, which carries supabase/migrations", () => {
    const triggers = resources(s(), "Custom::Trigger");
    expect(triggers).toHaveLength(1);
    const migrate = functionsBySlug(s())[MIGRATE_FUNCTION]![0]!;
    expect(triggers[0]!.r.Properties).toMatchObject({ ExecuteOnHandlerChange: true, InvocationType: "RequestResponse" });
    expect(JSON.stringify(triggers[0]!.r.Properties!.HandlerArn)).toContain("MigrateCurrentVersion");
    const assetHash = String(migrate.r.Properties!.Code.S3Key).replace(/\.zip$/, "");
    const bundled = readdirSync(join(s().outdir, `asset.${assetHash}`, "migrations")).sort();
    expect(bundled).toEqual(readdirSync(MIGRATIONS_DIR).filter((f) => f.endsWith(".sql")).sort());
    if (kind !== "external") {
      const dependsOn = triggers[0]!.r.DependsOn ?? [];
      const database = s().templates[triggers[0]!.stack]!.Resources;
      const clusterId = Object.keys(database).find((id) => database[id]!.Type === "AWS::RDS::DBCluster")!;
      expect(dependsOn).toContain(clusterId);
    }
  });

  it("runs every scheduled manifest entry on its schedule, and a routeless job in the ScheduledJobs stack", () => {
    const rules = resources(s(), "AWS::Events::Rule");
    const scheduled = (kind === "external" ? [...FUNCTIONS, JOB] : FUNCTIONS).filter((fn) => fn.schedule);
    expect(rules).toHaveLength(scheduled.length);
    const bySlug = functionsBySlug(s());
    for (const definition of scheduled) {
      const fn = bySlug[definition.slug]![0]!;
      const rule = rules.find((r) => JSON.stringify(r.r.Properties?.Targets).includes(fn.id));
      expect(rule, definition.slug).toBeDefined();
      expect(rule!.stack).toBe(fn.stack);
      expect(rule!.r.Properties).toMatchObject({ ScheduleExpression: definition.schedule, State: "ENABLED" });
    }
    if (kind === "external") {
      // A job without routes has no HTTP stack to live in.
      expect(bySlug[JOB.slug]![0]!.stack).toBe("pr-8-ips-integrations-ScheduledJobs");
    }
  });

  it("serves web/ from a private bucket through CloudFront, with /api/* forwarded to the HTTP API", () => {
    const site = Template.fromJSON(Object.entries(s().templates).find(([name]) => name.endsWith("-Site"))![1]);
    site.hasResourceProperties("AWS::S3::Bucket", {
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
    });
    const [distribution] = Object.values(site.findResources("AWS::CloudFront::Distribution"));
    const behaviors = distribution!.Properties.DistributionConfig.CacheBehaviors as { PathPattern: string; AllowedMethods: string[] }[];
    expect(behaviors.map((b) => b.PathPattern)).toEqual(["/pay/*", "/admin/*", "/api/*"]);
    expect(behaviors[2]!.AllowedMethods).toContain("POST");
    // The student pages: a viewer-request rewrite to their HTML files and the dev server's strict headers.
    // The admin config page likewise (/admin/config/integrations → admin/index.html), with its own CSP.
    site.resourceCountIs("AWS::CloudFront::Function", 2);
    site.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({
          ContentSecurityPolicy: { ContentSecurityPolicy: Match.stringLikeRegexp("^default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'"), Override: true },
        }),
      }),
    });
    site.hasResourceProperties("AWS::CloudFront::ResponseHeadersPolicy", {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: Match.objectLike({ ReferrerPolicy: { ReferrerPolicy: "no-referrer", Override: true } }),
      }),
    });
    const uploads = kind === "external" || webHasFiles(join(REPO_ROOT, "web"));
    expect(Object.keys(site.findResources("Custom::CDKBucketDeployment")).length).toBe(uploads ? 1 : 0);
  });
});

describe("the database", () => {
  const cluster = (s: Synth) => resources(s, "AWS::RDS::DBCluster");

  it("production: Aurora Serverless v2 behind RDS Proxy, retained, deletion-protected, encrypted, credentials generated", () => {
    const [db] = cluster(synths.production);
    expect(db!.r).toMatchObject({ DeletionPolicy: "Retain", UpdateReplacePolicy: "Retain" });
    expect(db!.r.Properties).toMatchObject({
      Engine: "aurora-postgresql", DeletionProtection: true, StorageEncrypted: true,
      ServerlessV2ScalingConfiguration: expect.objectContaining({ MinCapacity: 0.5 }),
    });
    expect(JSON.stringify(db!.r.Properties!.MasterUserPassword)).toMatch(/\{\{resolve:secretsmanager:/);
    for (const { r } of resources(synths.production, "AWS::SecretsManager::Secret")) expect(r).toMatchObject({ DeletionPolicy: "Retain" });
    // Instances hold no data (the cluster volume does): deleted with the stack, they stop costing.
    for (const { r } of resources(synths.production, "AWS::RDS::DBInstance")) expect(r).toMatchObject({ DeletionPolicy: "Delete" });
    const [proxy] = resources(synths.production, "AWS::RDS::DBProxy");
    expect(proxy!.r.Properties).toMatchObject({ RequireTLS: true, EngineFamily: "POSTGRESQL" });
  });

  it("other stages: the same shape, destroyed with the stage", () => {
    const [db] = cluster(synths.preview);
    expect(db!.r).toMatchObject({ DeletionPolicy: "Delete" });
    expect(db!.r.Properties).toMatchObject({ DeletionProtection: false });
    for (const type of ["AWS::RDS::DBInstance", "AWS::SecretsManager::Secret", "AWS::S3::Bucket", "AWS::Logs::LogGroup"]) {
      for (const { r } of resources(synths.preview, type)) expect(r, type).toMatchObject({ DeletionPolicy: "Delete" });
    }
  });

  it("functions reach Aurora from inside the VPC, through the proxy, with generated credentials", () => {
    const fn = functionsBySlug(synths.preview)["stripe-webhook"]![0]!;
    expect(fn.r.Properties!.VpcConfig).toBeDefined();
    const variables = fn.r.Properties!.Environment.Variables;
    expect(JSON.stringify(variables.DATABASE_HOST)).toMatch(/Proxy.*Endpoint/);
    expect(JSON.stringify(variables.DATABASE_URL_SECRET_ID)).toMatch(/ClusterSecretAttachment/);
    expect(variables.DATABASE_NAME).toBe("ips");
  });

  it("an external DATABASE_URL creates no database, no VPC, and is read from the named secret", () => {
    for (const type of ["AWS::RDS::DBCluster", "AWS::RDS::DBInstance", "AWS::RDS::DBProxy", "AWS::EC2::VPC", "AWS::EC2::NatGateway", "AWS::SecretsManager::Secret"]) {
      expect(resources(synths.external, type), type).toEqual([]);
    }
    for (const [slug, [fn]] of Object.entries(functionsBySlug(synths.external))) {
      expect(fn!.r.Properties!.VpcConfig, slug).toBeUndefined();
      expect(fn!.r.Properties!.Environment.Variables.DATABASE_URL_SECRET_ID, slug).toBe(EXTERNAL_URL_SECRET);
      expect(fn!.r.Properties!.Environment.Variables, slug).not.toHaveProperty("DATABASE_HOST");
    }
    const policies = JSON.stringify(resources(synths.external, "AWS::IAM::Policy"));
    expect(policies).toContain(`secret:${EXTERNAL_URL_SECRET}-??????`);
  });
});

// ---- running it for real: order, removal, names, jobs, alarms, logs, cdk-nag --------------------------------

const ref = (value: unknown) => (value as { Ref?: string } | undefined)?.Ref;
const getAtt = (value: unknown) => (value as { "Fn::GetAtt"?: [string, string] } | undefined)?.["Fn::GetAtt"];
/** Properties that give a resource a name AWS keeps unique per account and region. */
const UNIQUE_NAMES: Record<string, string> = {
  "AWS::Lambda::Function": "FunctionName", "AWS::RDS::DBProxy": "DBProxyName", "AWS::RDS::DBCluster": "DBClusterIdentifier",
  "AWS::RDS::DBInstance": "DBInstanceIdentifier", "AWS::RDS::DBSubnetGroup": "DBSubnetGroupName", "AWS::Logs::LogGroup": "LogGroupName",
  "AWS::S3::Bucket": "BucketName", "AWS::SQS::Queue": "QueueName", "AWS::SNS::Topic": "TopicName", "AWS::IAM::Role": "RoleName",
  "AWS::SecretsManager::Secret": "Name", "AWS::Events::Rule": "Name", "AWS::CloudWatch::Alarm": "AlarmName",
};

describe.each(kinds)("%s stage, operated", (kind) => {
  const s = () => synths[kind];
  const stackNamed = (suffix: string) => Object.keys(s().templates).find((name) => name.endsWith(`-${suffix}`))!;
  const manifest = () => (kind === "external" ? [...FUNCTIONS, JOB] : FUNCTIONS);

  it("deploys every stack that uses the database after the stack that migrates it", () => {
    const database = stackNamed("Database");
    for (const suffix of ["Webhooks", "Admin", ...(kind === "external" ? ["ScheduledJobs"] : [])]) {
      expect(s().dependencies[stackNamed(suffix)], suffix).toContain(database);
    }
  });

  it("retains only data in production, and deletes everything with any other stage", () => {
    const all = Object.values(s().templates).flatMap((t) => Object.values(t.Resources));
    for (const r of all) {
      const retained = r.DeletionPolicy === "Retain" || r.DeletionPolicy === "RetainExceptOnCreate" || r.DeletionPolicy === "Snapshot";
      const data = DATA_RESOURCE_TYPES.includes(r.Type);
      expect(retained, `${r.Type} ${r.DeletionPolicy}`).toBe(kind === "production" && data);
      if (r.UpdateReplacePolicy) expect(r.UpdateReplacePolicy === "Retain", r.Type).toBe(kind === "production" && data);
    }
    // Nothing that serves or runs is kept once it leaves the code.
    for (const type of ["AWS::ApiGatewayV2::Route", "AWS::Events::Rule", "AWS::Lambda::Function", "AWS::IAM::Role", "AWS::RDS::DBProxy"]) {
      for (const { r } of resources(s(), type)) expect(r.DeletionPolicy ?? "Delete", type).toBe("Delete");
    }
  });

  it("gives no resource a fixed name that a retried deploy would collide with", () => {
    for (const [type, property] of Object.entries(UNIQUE_NAMES)) {
      for (const { stack, id, r } of resources(s(), type)) {
        expect(typeof r.Properties?.[property], `${stack}/${id} ${property}`).not.toBe("string");
      }
    }
    for (const { r } of resources(s(), "AWS::RDS::DBProxy")) {
      expect(JSON.stringify(r.Properties!.DBProxyName)).toContain('"Ref":"AWS::StackId"');
    }
  });

  it("puts no function that can run past API Gateway's 30 s behind a route; a long job's route starts it and answers", () => {
    const routedTo = new Set(resources(s(), "AWS::ApiGatewayV2::Integration").map(({ stack, r }) => `${stack}/${getAtt(r.Properties!.IntegrationUri)![0]}`));
    const routed = resources(s(), "AWS::Lambda::Function").filter(({ stack, id }) => routedTo.has(`${stack}/${id}`));
    expect(routed.length).toBeGreaterThan(0);
    for (const { id, r } of routed) expect(r.Properties!.Timeout, id).toBeLessThanOrEqual(HTTP_TIMEOUT_LIMIT_SECONDS);
    const bySlug = functionsBySlug(s());
    const starters = functionsBySlug(s(), STARTER_TAG);
    const long = manifest().filter(startedOverHttp);
    expect(long.map((d) => d.slug).sort()).toEqual(Object.keys(starters).sort());
    for (const definition of long) {
      const job = bySlug[definition.slug]![0]!;
      const [starter] = starters[definition.slug]!;
      expect(job.r.Properties!.Timeout).toBe(definition.timeoutSeconds);
      expect(starter!.stack).toBe(job.stack);
      expect(starter!.r.Properties!.Environment.Variables).toMatchObject({ JOB_SLUG: definition.slug, JOB_FUNCTION_NAME: { Ref: job.id } });
      // May invoke its job and read the JWT secret; nothing else (no database, no VPC).
      expect(starter!.r.Properties!.VpcConfig).toBeUndefined();
      const role = getAtt(starter!.r.Properties!.Role)![0];
      const policies = JSON.stringify(Object.values(s().templates[job.stack]!.Resources).filter((r) => r.Type === "AWS::IAM::Policy" && JSON.stringify(r.Properties!.Roles).includes(role)));
      expect(policies).toContain("lambda:InvokeFunction");
      expect(policies).toContain("SUPABASE_JWT_SECRET-??????");
      expect(policies).not.toContain("ENCRYPTION_KEY");
    }
  });

  it("sends a scheduled run that failed after its retries to a dead-letter queue, from EventBridge and from Lambda", () => {
    const bySlug = functionsBySlug(s());
    for (const definition of manifest().filter((d) => d.schedule)) {
      const fn = bySlug[definition.slug]![0]!;
      const template = s().templates[fn.stack]!;
      const rule = Object.values(template.Resources).find((r) => r.Type === "AWS::Events::Rule" && JSON.stringify(r.Properties!.Targets).includes(`"${fn.id}"`))!;
      const [target] = rule.Properties!.Targets as Record<string, any>[];
      expect(target!.RetryPolicy, definition.slug).toEqual({ MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900 });
      const queueId = getAtt(target!.DeadLetterConfig.Arn)![0];
      expect(template.Resources[queueId]!.Type).toBe("AWS::SQS::Queue");
      const invokeConfig = Object.values(template.Resources).find((r) => r.Type === "AWS::Lambda::EventInvokeConfig" && ref(r.Properties!.FunctionName) === fn.id)!;
      expect(invokeConfig.Properties).toMatchObject({ MaximumRetryAttempts: 1, MaximumEventAgeInSeconds: 900 });
      expect(getAtt(invokeConfig.Properties!.DestinationConfig.OnFailure.Destination)![0]).toBe(queueId);
      // The queue is encrypted, refuses plain HTTP, and accepts EventBridge's messages.
      expect(template.Resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true });
      const queuePolicy = JSON.stringify(Object.values(template.Resources).filter((r) => r.Type === "AWS::SQS::QueuePolicy"));
      expect(queuePolicy).toContain("events.amazonaws.com");
      expect(queuePolicy).toContain("aws:SecureTransport");
    }
  });

  it("alarms on API 5xx, each function's errors and throttles, failed scheduled invocations and dead-lettered runs", () => {
    const alarms = resources(s(), "AWS::CloudWatch::Alarm").map(({ stack, r }) => ({ stack, p: r.Properties! }));
    const topicId = Object.entries(s().templates[stackNamed("Api")]!.Resources).find(([, r]) => r.Type === "AWS::SNS::Topic")![0];
    for (const { p } of alarms) {
      expect(p.AlarmActions).toHaveLength(1);
      expect(JSON.stringify(p.AlarmActions)).toContain(topicId);
      expect(p).toMatchObject({ ComparisonOperator: "GreaterThanOrEqualToThreshold", TreatMissingData: "notBreaching", Period: 300 });
    }
    const on = (namespace: string, metric: string) => alarms.filter(({ p }) => p.Namespace === namespace && p.MetricName === metric);
    expect(on("AWS/ApiGateway", "5xx")).toHaveLength(1);
    expect(on("AWS/ApiGateway", "5xx")[0]!.p.Dimensions).toEqual([{ Name: "ApiId", Value: { Ref: expect.stringMatching(/^HttpApi/) } }]);
    const watched = (metric: string) => new Set(on("AWS/Lambda", metric).map(({ stack, p }) => `${stack}/${ref(p.Dimensions[0].Value)}`));
    for (const definition of manifest()) {
      const fn = functionsBySlug(s())[definition.slug]![0]!;
      expect(watched("Errors").has(`${fn.stack}/${fn.id}`), `${definition.slug} errors`).toBe(true);
      expect(watched("Throttles").has(`${fn.stack}/${fn.id}`), `${definition.slug} throttles`).toBe(true);
    }
    const scheduled = manifest().filter((d) => d.schedule).length;
    expect(on("AWS/Events", "FailedInvocations")).toHaveLength(scheduled);
    const queues = resources(s(), "AWS::SQS::Queue").length;
    expect(on("AWS/SQS", "ApproximateNumberOfMessagesVisible")).toHaveLength(queues);
    expect(queues).toBeGreaterThan(0);
  });

  it("logs every API request to a log group with the stage's retention, and throttles the stage", () => {
    const api = Template.fromJSON(s().templates[stackNamed("Api")]!);
    const [stage] = Object.values(api.findResources("AWS::ApiGatewayV2::Stage"));
    const props = stage!.Properties;
    expect(props.StageName).toBe("$default");
    expect(props.DefaultRouteSettings).toEqual({ ThrottlingBurstLimit: 400, ThrottlingRateLimit: 200 });
    const logGroupId = getAtt(props.AccessLogSettings.DestinationArn)![0];
    const logGroup = api.toJSON().Resources[logGroupId];
    expect(logGroup.Type).toBe("AWS::Logs::LogGroup");
    expect(logGroup.Properties.RetentionInDays).toBe(kind === "production" ? 90 : 14);
    const format = JSON.parse(props.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: "$context.requestId", status: "$context.status", route: "$context.routeKey" });
    // Never the raw path or query string: tenant ids and tokens stay out of the access log.
    expect(props.AccessLogSettings.Format).not.toMatch(/\$context\.(path|rawPath)|querystring/i);
  });

  it("passes cdk-nag's AwsSolutions pack, each accepted finding with its reason", () => {
    expect(s().nagFindings).toEqual([]);
    for (const template of Object.values(s().templates)) {
      const rules = (template as { Metadata?: { cdk_nag?: { rules_to_suppress?: { id: string; reason: string }[] } } }).Metadata?.cdk_nag?.rules_to_suppress ?? [];
      expect(rules.length).toBeGreaterThan(0);
      for (const rule of rules) expect(rule.reason.length, rule.id).toBeGreaterThan(40);
    }
  });
});
