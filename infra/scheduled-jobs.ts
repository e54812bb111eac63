// Functions AWS runs on a schedule: a manifest entry with `schedule` (an EventBridge `rate(…)`/`cron(…)`
// expression) gets a rule invoking its Lambda. An entry with routes too keeps its Lambda in the Webhooks or
// Admin stack and its rule beside it; a job without routes lives in the ScheduledJobs stack, which exists
// only while there is such a job.
// A job's Lambda receives an EventBridge event; createLambdaHandler runs the job for it (ctx.trigger = "schedule").
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { use, type StackContext } from "sst/constructs";
import type { Construct } from "constructs";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { Api } from "./api.ts";
import { useStageConfig } from "./config.ts";
import { Database } from "./database.ts";
import { constructId, createManifestFunction } from "./lambda-function.ts";

export const scheduledFunctions = (functions: readonly FunctionDefinition[]) => functions.filter((fn) => fn.schedule);

/** Jobs with no routes: their Lambdas are this stack's. */
export const jobFunctions = (functions: readonly FunctionDefinition[]) =>
  functions.filter((fn) => fn.schedule && fn.routes.length === 0);

/** The rule invoking `fn` on the entry's schedule; none for an unscheduled entry. */
export function addSchedule(scope: Construct, definition: FunctionDefinition, fn: IFunction): Rule | undefined {
  if (!definition.schedule) return undefined;
  if (!/^(rate|cron)\(.+\)$/.test(definition.schedule)) {
    throw new Error(`"${definition.slug}": schedule must be rate(…) or cron(…), got "${definition.schedule}"`);
  }
  return new Rule(scope, `${constructId(definition.slug)}Schedule`, {
    description: `IPS ${definition.slug}: ${definition.schedule}`,
    schedule: Schedule.expression(definition.schedule),
    targets: [new LambdaFunction(fn, { retryAttempts: 2 })],
  });
}

export function ScheduledJobs({ stack, app }: StackContext): { functions: Record<string, NodejsFunction> } {
  const config = useStageConfig(app);
  const { appUrl } = use(Api);
  const { database } = use(Database);
  const functions: Record<string, NodejsFunction> = {};
  for (const definition of jobFunctions(config.functions)) {
    const fn = createManifestFunction(stack, definition, { config, database, appUrl });
    addSchedule(stack, definition, fn);
    functions[definition.slug] = fn;
  }
  return { functions };
}
