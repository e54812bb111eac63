// Everything else served over HTTP — admin functions and the signed-in user's and service_role's endpoints,
// each of which checks its own bearer token — each its own Lambda behind its manifest routes.
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { use, type StackContext } from "sst/constructs";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { Api } from "./api.ts";
import { useStageConfig } from "./config.ts";
import { useDatabase } from "./use-database.ts";
import { addManifestFunctions } from "./manifest-functions.ts";

export const adminFunctions = (functions: readonly FunctionDefinition[]) =>
  functions.filter((fn) => fn.routes.length > 0 && fn.auth !== "signature");

export function Admin({ stack, app }: StackContext): { functions: Record<string, NodejsFunction> } {
  const config = useStageConfig(app);
  const { api, appUrl, alarmTopic } = use(Api);
  const database = useDatabase();
  return { functions: addManifestFunctions(stack, adminFunctions(config.functions), { config, database, appUrl, alarmTopic }, api) };
}
