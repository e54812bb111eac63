import type { Context as HonoContext } from "hono";
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context as LambdaContext, LambdaFunctionURLEvent } from "aws-lambda";
import { handle, type LambdaEvent } from "hono/aws-lambda";
import { normalizeIp } from "../client-ip.ts";
import type { Handler } from "../../_shared/context.ts";
import { functionDefinition, type FunctionDefinition } from "../../manifest.ts";
import type { EventBridgeEvent } from "aws-lambda";
import { createFunctionRuntime, oncePerInstance, openDeployedDb, type RuntimeOptions } from "../function-app.ts";

/** An API Gateway HTTP API (payload v2) or Lambda Function URL event: the two share one shape. */
export type HttpLambdaEvent = APIGatewayProxyEventV2 | LambdaFunctionURLEvent;

/** What EventBridge delivers when a rule's schedule fires (infra/scheduled-jobs.ts). */
export type ScheduledLambdaEvent = EventBridgeEvent<"Scheduled Event", unknown>;

export type HttpLambdaHandler = (
  event: HttpLambdaEvent | ScheduledLambdaEvent,
  context?: LambdaContext,
) => Promise<APIGatewayProxyStructuredResultV2>;

function isScheduledEvent(event: HttpLambdaEvent | ScheduledLambdaEvent): event is ScheduledLambdaEvent {
  return (event as ScheduledLambdaEvent)["detail-type"] === "Scheduled Event" && (event as ScheduledLambdaEvent).source === "aws.events";
}

/**
 * The caller as API Gateway (HTTP API) or a Function URL saw it: `requestContext.http.sourceIp`, which a client
 * cannot write. Never a header — not even as a fallback (hono's getConnInfo falls back to x-forwarded-for, whose
 * left part the caller writes). An event without it (a hand-made one) has no vouched address.
 */
export function lambdaSourceIp(c: HonoContext): string | undefined {
  // hono's aws-lambda adapter binds `{ event, requestContext, lambdaContext }` as the app's env.
  const bindings = c.env as { requestContext?: { http?: { sourceIp?: unknown } } } | undefined;
  const sourceIp = bindings?.requestContext?.http?.sourceIp;
  return typeof sourceIp === "string" ? normalizeIp(sourceIp) : undefined;
}

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
  // The instance's first connection, opened as the services are built: its TCP and startup handshake run while
  // the first request is turned into a `Request` (whose first use loads Node's fetch implementation, tens of
  // ms). The handler waits for it before its first query, so that query finds the connection open instead of
  // opening a second one. A failure is the handler's to meet (503), not this wait's.
  let connected: Promise<unknown> = Promise.resolve();
  const afterConnect: Handler = async (req, ctx) => {
    await connected;
    return handler(req, ctx);
  };
  const ready = oncePerInstance(async () => {
    const clientIp = options.clientIp ?? lambdaSourceIp;
    const openDb = options.openDb ?? openDeployedDb;
    const runtime = await createFunctionRuntime(definition, afterConnect, {
      ...options, env: options.env ?? process.env, clientIp,
      openDb: (config) => {
        const db = openDb(config);
        connected = db.query("select 1").catch(() => {});
        return db;
      },
    });
    // Node loads its fetch implementation (undici) on the first use of Headers/Request, tens of ms of CPU:
    // done here, while that handshake is in flight, rather than when the first event becomes a Request.
    new Headers();
    return { ...runtime, lambda: handle(runtime.app) };
  });
  // On a Lambda instance (not a test building handlers on its own env), the build starts in the init phase —
  // config, services, the connection — rather than on the first invocation. A failure there is dropped:
  // oncePerInstance builds again on the first call, which then fails visibly.
  if (options.env === undefined && process.env.AWS_LAMBDA_FUNCTION_NAME) ready().catch(() => {});
  return async (event, context) => {
    const { lambda, services } = await ready();
    if (isScheduledEvent(event)) {
      // A job's schedule: the handler runs directly with `trigger: "schedule"` (which no HTTP request can set)
      // in place of the service_role key its HTTP route requires. A failure is thrown so EventBridge retries.
      const route = definition.routes.find((r) => r.method === "POST")?.path ?? `/${definition.slug}`;
      const response = await handler(new Request(`https://lambda.invalid${route}`, { method: "POST" }), {
        ...services, params: {}, requestId: event.id, trigger: "schedule",
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`${definition.slug} failed on schedule: ${response.status} ${body.slice(0, 300)}`);
      return { statusCode: response.status, body };
    }
    // Same fields as hono's own v2 event type; @types/aws-lambda only spells some of them differently.
    return lambda(event as unknown as LambdaEvent, context) as Promise<APIGatewayProxyStructuredResultV2>;
  };
}
