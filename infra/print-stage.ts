// Prints the stage for a branch or a pull request, for the deploy workflow:
//   npx tsx infra/print-stage.ts --branch "$BRANCH"    |    npx tsx infra/print-stage.ts --pull-request 42
import { stageName } from "./stage.ts";

const [flag, value] = process.argv.slice(2);
if (flag === "--branch" && value) console.log(stageName({ branch: value }));
else if (flag === "--pull-request" && value) console.log(stageName({ pullRequest: Number(value) }));
else {
  console.error("usage: print-stage.ts --branch <name> | --pull-request <number>");
  process.exit(2);
}
