// SST 2 (CDK-based: synthesizes offline, tested with aws-cdk-lib/assertions); the stacks are in infra/.
// `npx sst deploy --stage <stage>` — the stage comes from the branch in CI (infra/stage.ts).
import type { SSTConfig } from "sst";
import { addStacks } from "./infra/app.ts";

export default {
  config(input) {
    return { name: "ips-integrations", region: input.region ?? process.env.AWS_REGION ?? "us-east-1" };
  },
  stacks(app) {
    return addStacks(app);
  },
} satisfies SSTConfig;
