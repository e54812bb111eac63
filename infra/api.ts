// The one HTTP API (API Gateway v2) every function's routes hang on; payload format 2.0, which the Lambda
// adapter reads. Auth is the functions' own (provider signatures, Supabase HS256 tokens — API Gateway's JWT
// authorizer only verifies JWKS-signed tokens), so routes have no authorizer.
import { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import type { StackContext } from "sst/constructs";
import { useStageConfig } from "./config.ts";

export function Api({ stack, app }: StackContext): { api: HttpApi; appUrl: string } {
  const config = useStageConfig(app);
  const api = new HttpApi(stack, "HttpApi", {
    apiName: `${config.stage}-ips-integrations`,
    description: `IPS integrations (${config.stage}): webhooks and admin functions`,
  });
  stack.addOutputs({ ApiUrl: api.apiEndpoint });
  return { api, appUrl: config.appUrl ?? api.apiEndpoint };
}
