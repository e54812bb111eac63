// The stacks of one stage, in dependency order — what `sst deploy`, `npm run synth` and the tests build.
// Stacks: Database (+ migrations), Api, Webhooks, Admin, ScheduledJobs (only with a job), Site.
import { Aspects } from "aws-cdk-lib";
import type { App } from "sst/constructs";
import { Admin } from "./admin.ts";
import { Api } from "./api.ts";
import { checkFunctions, provideStageConfig, removalPolicy, stageConfig, type StageConfig } from "./config.ts";
import { Database } from "./database.ts";
import { LogRetentionForEveryFunction } from "./log-retention.ts";
import { AcceptedNagFindings } from "./nag-suppressions.ts";
import { RetainOnlyData } from "./removal-policies.ts";
import { jobFunctions, ScheduledJobs } from "./scheduled-jobs.ts";
import { SharedDatabase } from "./shared-database.ts";
import { Site } from "./site.ts";
import { SHARED_DATABASE_STAGE } from "./stage.ts";
import { Webhooks } from "./webhooks.ts";

/**
 * Adds every stack of `app.stage`; `config` defaults to the stage's config from IPS_* variables.
 * @example export default { config: …, stacks: (app) => addStacks(app) } satisfies SSTConfig;
 */
export async function addStacks(app: App, config: StageConfig = stageConfig(app.stage)): Promise<void> {
  checkFunctions(config.functions);
  provideStageConfig(app, config);
  // Data kept in production, everything else deleted with its stack (not SST's one-policy-for-all default).
  Aspects.of(app).add(new RetainOnlyData(removalPolicy(config)));
  Aspects.of(app).add(new LogRetentionForEveryFunction(config.logRetention, removalPolicy(config)));
  // The reasons for the cdk-nag AwsSolutions findings we accept (checked in infra/stacks.test.ts).
  Aspects.of(app).add(new AcceptedNagFindings(config));
  // The account's preview cluster is a stage of its own, with nothing else in it.
  if (config.stage === SHARED_DATABASE_STAGE) {
    app.stack(SharedDatabase);
    return;
  }
  app.stack(Database).stack(Api).stack(Webhooks).stack(Admin);
  if (jobFunctions(config.functions).length > 0) app.stack(ScheduledJobs);
  app.stack(Site);
}
