// `npm run synth [-- --stage <stage> [--stage <stage>…]]`: writes the CloudFormation templates
// (cdk.out/*.template.json) and assets offline, with no AWS credentials. The stage defaults to `production`;
// IPS_* variables apply.
import { rmSync } from "node:fs";
import { join, relative } from "node:path";
import { REPO_ROOT } from "./paths.ts";
import { PRODUCTION_STAGE } from "./stage.ts";

// SST 2 still loads the AWS SDK v2, which prints an end-of-support notice on import; nothing here calls AWS.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE = "1";
const { synthesize } = await import("./synthesize.ts");

const args = process.argv.slice(2);
const stages = args.flatMap((arg, i) => (arg === "--stage" ? [args[i + 1]] : []));
if (stages.length === 0) stages.push(PRODUCTION_STAGE);
if (stages.some((stage) => !stage || !/^[a-z][a-z0-9-]*$/.test(stage))) {
  console.error("usage: npm run synth [-- --stage <stage> [--stage <stage>…]]  (lower-case letters, digits and '-')");
  process.exit(2);
}

// Every stage into one cdk.out, in one process: CDK bundles each function once there and the stages after the
// first reuse those bundles (their templates are named after their own stacks, so none overwrites another's).
const outdir = join(REPO_ROOT, "cdk.out");
rmSync(outdir, { recursive: true, force: true });
for (const stage of stages as string[]) {
  const started = performance.now();
  const { assembly } = await synthesize({ stage, outdir });
  for (const stack of assembly.stacks) console.log(`${relative(REPO_ROOT, join(outdir, stack.templateFile))}  (${stack.stackName})`);
  console.log(`synthesized stage "${stage}" in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
