// What the Webhooks, Admin and ScheduledJobs stacks each do with their share of the manifest: a Lambda per
// entry, its routes (to the function, or to its starter for a job that may outlast API Gateway's 30 s) and
// its schedule.
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import type { Construct } from "constructs";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { startedOverHttp } from "./config.ts";
import { createJobStarter } from "./job-starter.ts";
import { addHttpRoutes, createManifestFunction, type FunctionDeps } from "./lambda-function.ts";
import { addSchedule } from "./job-schedule.ts";

/** The entries' Lambdas by slug. */
export function addManifestFunctions(
  scope: Construct, definitions: readonly FunctionDefinition[], deps: FunctionDeps, api: HttpApi,
): Record<string, NodejsFunction> {
  const functions: Record<string, NodejsFunction> = {};
  for (const definition of definitions) {
    const fn = createManifestFunction(scope, definition, deps);
    if (definition.routes.length > 0) {
      addHttpRoutes(scope, api, definition, startedOverHttp(definition) ? createJobStarter(scope, definition, fn, deps) : fn);
    }
    addSchedule(scope, definition, fn, deps.alarmTopic);
    functions[definition.slug] = fn;
  }
  return functions;
}
