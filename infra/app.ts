// The stacks of one stage, in dependency order — what `sst deploy`, `npm run synth` and the tests build.
// Stacks: Database (+ migrations), Api, Webhooks, Admin, ScheduledJobs (only with a job), Site.
import { Aspects } from "aws-cdk-lib";
import type { App } from "sst/constructs";
import { Admin } from "./admin.ts";
import { Api } from "./api.ts";
import { checkFunctions, provideStageConfig, removalPolicy, stageConfig, type StageConfig } from "./config.ts";
import { Database } from "./database.ts";
import { LogRetentionForEveryFunction } from "./log-retention.ts";
import { jobFunctions, ScheduledJobs } from "./scheduled-jobs.ts";
import { Site } from "./site.ts";
import { Webhooks } from "./webhooks.ts";

/**
 * Adds every stack of `app.stage`; `config` defaults to the stage's config from IPS_* variables.
 * @example export default { config: …, stacks: (app) => addStacks(app) } satisfies SSTConfig;
 */
export async function addStacks(app: App, config: StageConfig = stageConfig(app.stage)): Promise<void> {
  checkFunctions(config.functions);
  provideStageConfig(app, config);
  // SST applies it to every resource when the app finishes; the data-bearing ones also set it themselves.
  app.setDefaultRemovalPolicy(config.removal);
  Aspects.of(app).add(new LogRetentionForEveryFunction(config.logRetention, removalPolicy(config)));
  app.stack(Database).stack(Api).stack(Webhooks).stack(Admin);
  if (jobFunctions(config.functions).length > 0) app.stack(ScheduledJobs);
  app.stack(Site);
}
