// Synthesizes a stage offline, as `sst deploy` would but with no AWS call: SST's project and App, the stacks
// from sst.config.ts, SST's finishing pass, then CDK's synth. Account and region stay CloudFormation pseudo
// parameters (env-agnostic stacks: availability zones come from Fn::GetAZs, nothing is looked up).
import { Aspects, Aws } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import type { CloudAssembly } from "aws-cdk-lib/cx-api";
import { initProject, useProject } from "sst/project.js";
import { App } from "sst/constructs";
import sstConfig from "../sst.config.ts";
import type { StageConfig } from "./config.ts";
import { addStacks } from "./app.ts";
import { stageConfig } from "./config.ts";
import { REPO_ROOT } from "./paths.ts";

export interface SynthOptions {
  stage: string;
  /** Where the cloud assembly (`*.template.json`, assets) goes; default a temporary directory. */
  outdir?: string;
  /** Adjusts the stage's config (tests: another manifest, another database); default sst.config.ts's stacks. */
  configure?: (config: StageConfig) => StageConfig;
  /** Runs cdk-nag's AwsSolutions pack; its findings are the assembly's error and warning messages. */
  nag?: boolean;
}

export async function synthesize(options: SynthOptions): Promise<{ app: App; assembly: CloudAssembly }> {
  await initProject({ root: REPO_ROOT, stage: options.stage });
  const { config } = useProject();
  const app = new App(
    { mode: "deploy", stage: options.stage, name: config.name, region: Aws.REGION, account: Aws.ACCOUNT_ID },
    options.outdir ? { outdir: options.outdir } : {},
  );
  if (options.configure) await addStacks(app, options.configure(stageConfig(options.stage)));
  else await sstConfig.stacks(app);
  // After the stacks' own aspects, so it sees the suppressions they add (infra/nag-suppressions.ts).
  if (options.nag) Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  // SST's finish() looks up the CDK bootstrap bucket (an AWS call) to upload source maps unless it runs
  // under test; our functions ship no source maps, so skipping that lookup changes nothing in the output.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = "test";
  try {
    await app.finish();
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return { app, assembly: app.synth() };
}

/** The cdk-nag findings in a synthesized assembly (error and warning annotations naming an AwsSolutions rule). */
export function nagFindings(assembly: CloudAssembly): string[] {
  return assembly.stacks.flatMap((stack) => stack.messages
    .filter((m) => m.level !== "info" && String(m.entry.data).startsWith("AwsSolutions-"))
    .map((m) => `${m.id} ${String(m.entry.data).split("\n")[0]}`));
}
