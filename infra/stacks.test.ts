// The stacks, synthesized offline exactly as `sst deploy` builds them (sst.config.ts → infra/app.ts), once
// per kind of stage, then asserted on the CloudFormation they produce.
import { Match, Template } from "aws-cdk-lib/assertions";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FUNCTIONS, type FunctionDefinition } from "../functions/manifest.ts";
import { FUNCTION_TAG } from "./lambda-function.ts";
import { MIGRATE_FUNCTION, MIGRATIONS_DIR } from "./migrations.ts";
import { REPO_ROOT } from "./paths.ts";
import { synthesize } from "./synthesize.ts";

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string; DependsOn?: string[] };
type TemplateJson = { Resources: Record<string, Resource>; Outputs?: Record<string, unknown> };

interface Synth {
  outdir: string;
  /** Stack name → template. */
  templates: Record<string, TemplateJson>;
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

async function synth(stage: string, options: { jobs?: boolean } = {}): Promise<Synth> {
  const outdir = mkdtempSync(join(tmpdir(), `ips-synth-${stage}-`));
  const { assembly } = await synthesize({
    stage,
    outdir,
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
  return { outdir, templates };
}

beforeAll(async () => {
  for (const name of [...Object.keys(CANARIES), "IPS_DATABASE_URL_SECRET", "IPS_SECRETS_PREFIX", "IPS_APP_URL", "IPS_SUPABASE_URL"]) {
    saved[name] = process.env[name];
    delete process.env[name];
  }
  Object.assign(process.env, CANARIES);
  synths.production = await synth("production");
  synths.preview = await synth("pr-7");
  process.env.IPS_DATABASE_URL_SECRET = EXTERNAL_URL_SECRET;
  synths.external = await synth("pr-8", { jobs: true });
}, 120_000);

afterAll(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  for (const s of Object.values(synths)) if (s?.outdir) rmSync(s.outdir, { recursive: true, force: true });
  rmSync(webDir, { recursive: true, force: true });
});

// ---- helpers over the synthesized JSON -------------------------------------------------------------------

const resources = (s: Synth, type: string) =>
  Object.entries(s.templates).flatMap(([stack, t]) =>
    Object.entries(t.Resources).filter(([, r]) => r.Type === type).map(([id, r]) => ({ stack, id, r })));

const tagOf = (r: Resource, key: string) => (r.Properties?.Tags as { Key: string; Value: string }[] | undefined)?.find((t) => t.Key === key)?.Value;

/** Manifest (and migrate) functions by slug. */
function functionsBySlug(s: Synth) {
  const found: Record<string, { stack: string; id: string; r: Resource }[]> = {};
  for (const fn of resources(s, "AWS::Lambda::Function")) {
    const slug = tagOf(fn.r, FUNCTION_TAG);
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

  it("routes every manifest route, exactly as written, to its function through a Lambda proxy integration", () => {
    const bySlug = functionsBySlug(s());
    const routes = resources(s(), "AWS::ApiGatewayV2::Route");
    expect(routes).toHaveLength(FUNCTIONS.flatMap((f) => f.routes).length);
    for (const definition of FUNCTIONS) {
      const fn = bySlug[definition.slug]![0]!;
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
    for (const type of ["AWS::RDS::DBInstance", "AWS::SecretsManager::Secret"]) {
      for (const { r } of resources(synths.production, type)) expect(r, type).toMatchObject({ DeletionPolicy: "Retain" });
    }
    const [proxy] = resources(synths.production, "AWS::RDS::DBProxy");
    expect(proxy!.r.Properties).toMatchObject({ RequireTLS: true, EngineFamily: "POSTGRESQL", DBProxyName: "production-ips-integrations" });
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
