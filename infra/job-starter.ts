// The starter in front of a job's routes (see infra/lambda/job-starter.ts for why): a small Lambda outside
// the VPC (it never touches the database) that may read the JWT secret and invoke the job, nothing else.
import { Duration, Tags } from "aws-cdk-lib";
import { Architecture, type IFunction } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { Construct } from "constructs";
import { join } from "node:path";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { addFunctionAlarms } from "./alarms.ts";
import { lambdaBundling } from "./bundling.ts";
import { constructId, functionLogGroup, type FunctionDeps } from "./lambda-function.ts";
import { LAMBDA_RUNTIME } from "./lambda-runtime.ts";
import { REPO_ROOT } from "./paths.ts";
import { appSecrets } from "./secrets.ts";

/** Tag on a starter: the slug of the job it starts. */
export const STARTER_TAG = "ips:starts";
/** Checks a token and makes one API call: well within API Gateway's 30 s. */
export const STARTER_TIMEOUT = Duration.seconds(10);

export function createJobStarter(scope: Construct, definition: FunctionDefinition, job: IFunction, deps: FunctionDeps): NodejsFunction {
  const { config } = deps;
  const id = `${constructId(definition.slug)}Starter`;
  const jwtSecret = appSecrets(scope, config).SUPABASE_JWT_SECRET;
  const starter = new NodejsFunction(scope, id, {
    entry: join(REPO_ROOT, "infra", "lambda", "job-starter.ts"),
    handler: "handler",
    runtime: LAMBDA_RUNTIME,
    architecture: Architecture.ARM_64,
    memorySize: 256,
    timeout: STARTER_TIMEOUT,
    description: `IPS ${definition.slug} starter: POST answers 202 and runs the job (${config.stage})`,
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, "package-lock.json"),
    bundling: lambdaBundling(),
    environment: { JOB_SLUG: definition.slug, JOB_FUNCTION_NAME: job.functionName, SUPABASE_JWT_SECRET_SECRET_ID: jwtSecret.secretName },
    logGroup: functionLogGroup(scope, id, config),
  });
  Tags.of(starter).add(STARTER_TAG, definition.slug);
  jwtSecret.grantRead(starter);
  job.grantInvoke(starter);
  addFunctionAlarms(scope, id, starter, `IPS ${definition.slug} starter (${config.stage})`, deps.alarmTopic);
  return starter;
}
