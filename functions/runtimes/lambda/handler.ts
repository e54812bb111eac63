import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext, LambdaFunctionURLEvent } from "aws-lambda";
import { handle, type LambdaEvent } from "hono/aws-lambda";
import type { Handler } from "../../_shared/context.ts";
import { functionDefinition, type FunctionDefinition } from "../../manifest.ts";
import { createFunctionApp, oncePerInstance, type RuntimeOptions } from "../function-app.ts";

/** An API Gateway HTTP API (payload v2) or Lambda Function URL event: the two share one shape. */
export type HttpLambdaEvent = APIGatewayProxyEventV2 | LambdaFunctionURLEvent;

export type HttpLambdaHandler = (event: HttpLambdaEvent, context?: LambdaContext) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * The AWS Lambda handler for one manifest function. hono's `aws-lambda` adapter turns the event into a
 * `Request` (base64 bodies decoded to their exact bytes, headers, query, `cookies`) and the `Response` back
 * (base64 for binary content types, `Set-Cookie` into `cookies`). Services are built on the first invocation
 * of an instance from `process.env` and reused until it is recycled. Only this function's handler and the
 * manifest's data are imported, so its bundle holds nothing else.
 * @example export const handler = createLambdaHandler("stripe-webhook", stripeWebhook);
 */
export function createLambdaHandler(
  fn: string | FunctionDefinition,
  handler: Handler,
  options: Partial<RuntimeOptions> = {},
): HttpLambdaHandler {
  // Resolved at import: a slug missing from the manifest fails the cold start, not a request.
  const definition = typeof fn === "string" ? functionDefinition(fn) : fn;
  const ready = oncePerInstance(async () =>
    handle(await createFunctionApp(definition, handler, { ...options, env: options.env ?? process.env })),
  );
  return async (event, context) => {
    const lambda = await ready();
    // Same fields as hono's own v2 event type; @types/aws-lambda only spells some of them differently.
    return lambda(event as unknown as LambdaEvent, context) as Promise<APIGatewayProxyStructuredResultV2>;
  };
}
