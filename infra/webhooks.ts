// The provider webhooks — every manifest entry whose auth is the provider's signature — each its own Lambda
// behind its manifest routes.
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { use, type StackContext } from "sst/constructs";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { Api } from "./api.ts";
import { useStageConfig } from "./config.ts";
import { useDatabase } from "./use-database.ts";
import { addManifestFunctions } from "./manifest-functions.ts";

export const webhookFunctions = (functions: readonly FunctionDefinition[]) =>
  functions.filter((fn) => fn.routes.length > 0 && fn.auth === "signature");

export function Webhooks({ stack, app }: StackContext): { functions: Record<string, NodejsFunction> } {
  const config = useStageConfig(app);
  const { api, appUrl, alarmTopic } = use(Api);
  const database = useDatabase();
  return { functions: addManifestFunctions(stack, webhookFunctions(config.functions), { config, database, appUrl, alarmTopic }, api) };
}
