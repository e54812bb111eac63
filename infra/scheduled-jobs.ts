// Functions AWS runs on a schedule: a manifest entry with `schedule` (an EventBridge `rate(…)`/`cron(…)`
// expression) gets a rule invoking its Lambda. An entry with routes too keeps its Lambda in the Webhooks or
// Admin stack and its rule beside it; a job without routes lives in the ScheduledJobs stack, which exists
// only while there is such a job.
// Each schedule's rule and failure handling: infra/job-schedule.ts.
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { use, type StackContext } from "sst/constructs";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { Api } from "./api.ts";
import { useStageConfig } from "./config.ts";
import { addManifestFunctions } from "./manifest-functions.ts";
import { useDatabase } from "./use-database.ts";

/** Jobs with no routes: their Lambdas are this stack's. */
export const jobFunctions = (functions: readonly FunctionDefinition[]) =>
  functions.filter((fn) => fn.schedule && fn.routes.length === 0);

export function ScheduledJobs({ stack, app }: StackContext): { functions: Record<string, NodejsFunction> } {
  const config = useStageConfig(app);
  const { api, appUrl, alarmTopic } = use(Api);
  const database = useDatabase();
  return { functions: addManifestFunctions(stack, jobFunctions(config.functions), { config, database, appUrl, alarmTopic }, api) };
}
