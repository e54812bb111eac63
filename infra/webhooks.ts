// The provider webhooks — every manifest entry whose auth is the provider's signature — each its own Lambda
// behind its manifest routes.
import type { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { use, type StackContext } from "sst/constructs";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { Api } from "./api.ts";
import { useStageConfig } from "./config.ts";
import { Database } from "./database.ts";
import { addHttpRoutes, createManifestFunction } from "./lambda-function.ts";
import { addSchedule } from "./scheduled-jobs.ts";

export const webhookFunctions = (functions: readonly FunctionDefinition[]) =>
  functions.filter((fn) => fn.routes.length > 0 && fn.auth === "signature");

export function Webhooks({ stack, app }: StackContext): { functions: Record<string, NodejsFunction> } {
  const config = useStageConfig(app);
  const { api, appUrl } = use(Api);
  const { database } = use(Database);
  const functions: Record<string, NodejsFunction> = {};
  for (const definition of webhookFunctions(config.functions)) {
    const fn = createManifestFunction(stack, definition, { config, database, appUrl });
    addHttpRoutes(stack, api, definition, fn);
    addSchedule(stack, definition, fn);
    functions[definition.slug] = fn;
  }
  return { functions };
}
