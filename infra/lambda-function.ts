// One Lambda for one manifest entry, the same way for webhooks, admin functions and jobs: Node 22 on arm64,
// bundled by infra/bundling.ts, the manifest's timeout, its own log group with the stage's retention, and
// its secrets by reference — `<NAME>_SECRET_ID` variables plus read access to exactly those secrets.
import { Duration, Tags } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { HttpMethod, HttpRoute, HttpRouteKey } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import * as ec2 from "aws-cdk-lib/aws-ec2";
import { Architecture, type IFunction } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import { join } from "node:path";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { addFunctionAlarms } from "./alarms.ts";
import { lambdaBundling } from "./bundling.ts";
import { removalPolicy, type StageConfig } from "./config.ts";
import type { DatabaseAccess } from "./database-access.ts";
import { FUNCTION_TAG, LAMBDA_RUNTIME } from "./lambda-runtime.ts";
import { REPO_ROOT } from "./paths.ts";
import { appSecrets, OPTIONAL_SECRETS, type AppSecretName } from "./secrets.ts";


export interface FunctionDeps {
  config: StageConfig;
  database: DatabaseAccess;
  /** APP_URL: the public base URL (webhook URLs shown to tenants). */
  appUrl: string;
  /** Where the function's alarms (errors, throttles) notify (infra/api.ts). */
  alarmTopic: ITopic;
}

/** A function's own log group: the stage's retention, kept with the data in production (infra/removal-policies.ts). */
export const functionLogGroup = (scope: Construct, id: string, config: StageConfig): LogGroup =>
  new LogGroup(scope, `${id}Logs`, { retention: config.logRetention, removalPolicy: removalPolicy(config) });

/** `stripe-webhook` → `StripeWebhook`: construct ids, stable per slug. */
export const constructId = (slug: string) => slug.replace(/(^|-)([a-z0-9])/g, (_, _dash, c: string) => c.toUpperCase());

/** The Lambda's environment: names of secrets, never their values, plus plain settings. */
/** What a function's environment is made from. */
export type EnvironmentDeps = Omit<FunctionDeps, "alarmTopic">;

export function functionEnvironment(definition: FunctionDefinition, deps: EnvironmentDeps, secretIds: Record<AppSecretName, string>): Record<string, string> {
  const env: Record<string, string> = { APP_URL: deps.appUrl };
  for (const name of definition.secrets) {
    if (name === "DATABASE_URL") {
      env.DATABASE_URL_SECRET_ID = deps.database.secretId;
      Object.assign(env, deps.database.environment);
    } else {
      env[`${name}_SECRET_ID`] = secretIds[name];
    }
  }
  const optional = OPTIONAL_SECRETS.filter((name) => definition.secrets.includes(name));
  if (optional.length) env.OPTIONAL_SECRETS = optional.join(",");
  if (deps.config.supabaseUrl) env.SUPABASE_URL = deps.config.supabaseUrl;
  // The limit that applies to this kind of function (per client IP for webhooks, per user for the rest).
  const { webhookPerMinute, userPerMinute } = deps.config.rateLimits;
  if (definition.auth === "signature" && webhookPerMinute !== undefined) env.WEBHOOK_RATE_LIMIT_PER_MINUTE = webhookPerMinute;
  if ((definition.auth === "admin" || definition.auth === "user") && userPerMinute !== undefined) env.USER_RATE_LIMIT_PER_MINUTE = userPerMinute;
  return env;
}

/** The function for `definition` in `scope` (a stack), with read access to its secrets only. */
export function createManifestFunction(scope: Construct, definition: FunctionDefinition, deps: FunctionDeps): NodejsFunction {
  const { config, database } = deps;
  const id = constructId(definition.slug);
  const secrets = appSecrets(scope, config);
  const secretIds = Object.fromEntries(Object.entries(secrets).map(([name, secret]) => [name, secret.secretName])) as Record<AppSecretName, string>;
  const fn = new NodejsFunction(scope, id, {
    entry: config.lambdaEntry(definition.slug),
    handler: "handler",
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: 512,
    timeout: Duration.seconds(definition.timeoutSeconds),
    description: `IPS ${definition.slug} (${config.stage})`,
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
    bundling: lambdaBundling(),
    environment: functionEnvironment(definition, deps, secretIds),
    logGroup: functionLogGroup(scope, id, config),
    ...(database.network && {
      vpc: database.network.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
      securityGroups: [database.network.securityGroup],
    }),
  });
  Tags.of(fn).add(FUNCTION_TAG, definition.slug);
  for (const name of definition.secrets) {
    (name === "DATABASE_URL" ? database.secret : secrets[name]).grantRead(fn);
  }
  addFunctionAlarms(scope, id, fn, `IPS ${definition.slug} (${config.stage})`, deps.alarmTopic);
  return fn;
}

/** One HTTP API route per manifest route, `METHOD /path/{param}` exactly, all to `fn` (the function or its starter). */
export function addHttpRoutes(scope: Construct, api: HttpApi, definition: FunctionDefinition, fn: IFunction): HttpRoute[] {
  const id = constructId(definition.slug);
  const integration = new HttpLambdaIntegration(`${id}Integration`, fn);
  return definition.routes.map(
    (route) =>
      new HttpRoute(scope, `${id}Route${route.method}${route.path.replace(/[^A-Za-z0-9]/g, "")}`, {
        httpApi: api,
        routeKey: HttpRouteKey.with(route.path, HttpMethod[route.method]),
        integration,
      }),
  );
}
