// Prints the stage of a branch, for the deploy workflow and the README's walkthrough:
//   npx tsx infra/print-stage.ts --branch "$BRANCH"
import { stageName } from "./stage.ts";

const [flag, value] = process.argv.slice(2);
if (flag === "--branch" && value) console.log(stageName({ branch: value }));
else {
  console.error("usage: print-stage.ts --branch <name>");
  process.exit(2);
}
