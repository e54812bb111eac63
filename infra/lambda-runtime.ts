// What every Lambda of a stage shares (manifest functions, the migrate function, the job starters): the
// runtime and the tag naming each function. Its own file so the database stack can use them without
// importing the function builder (which needs the database's access type: an import circle).
import { Runtime } from "aws-cdk-lib/aws-lambda";

export const LAMBDA_RUNTIME = Runtime.NODEJS_22_X;
/** Tag on every manifest function: the slug, for people (console, cost reports) and for the tests. */
export const FUNCTION_TAG = "ips:function";
