// The one HTTP API (API Gateway v2) every function's routes hang on; payload format 2.0, which the Lambda
// adapter reads. Auth is the functions' own (provider signatures, Supabase HS256 tokens — API Gateway's JWT
// authorizer only verifies JWKS-signed tokens), so routes have no authorizer. Its `$default` stage writes
// an access log (one JSON line per request, kept as long as the functions' logs) and is throttled, and a
// 5xx alarm watches it. The stage's alarm topic lives here too, since every other stack uses this one.
import { CfnStage, HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Topic, type ITopic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { StackContext } from "sst/constructs";
import { addAlarm, ALARM_PERIOD, API_5XX_THRESHOLD } from "./alarms.ts";
import { useStageConfig } from "./config.ts";

/**
 * Requests per second for the whole stage, steady and burst: far above what schools and providers send
 * (Stripe retries a 429 like any failure), low enough that a flood is refused at the door rather than
 * fanned out to Lambdas and database connections. Functions also limit per client and per user.
 */
export const STAGE_THROTTLE = { rateLimit: 200, burstLimit: 400 };

/**
 * Access log fields (API Gateway `$context` variables). The route key, never the raw path or query string:
 * the path holds tenant ids and a query string may carry a token.
 */
export const ACCESS_LOG_FORMAT = JSON.stringify({
  requestId: "$context.requestId",
  time: "$context.requestTime",
  ip: "$context.identity.sourceIp",
  method: "$context.httpMethod",
  route: "$context.routeKey",
  status: "$context.status",
  responseLength: "$context.responseLength",
  latencyMs: "$context.responseLatency",
  integrationLatencyMs: "$context.integration.latency",
  integrationError: "$context.integrationErrorMessage",
});

export function Api({ stack, app }: StackContext): { api: HttpApi; appUrl: string; alarmTopic: ITopic } {
  const config = useStageConfig(app);
  const api = new HttpApi(stack, "HttpApi", {
    apiName: `${config.stage}-ips-integrations`,
    description: `IPS integrations (${config.stage}): webhooks and admin functions`,
  });
  const accessLogs = new LogGroup(stack, "HttpApiAccessLogs", { retention: config.logRetention });
  const stage = api.defaultStage!.node.defaultChild as CfnStage;
  stage.accessLogSettings = { destinationArn: accessLogs.logGroupArn, format: ACCESS_LOG_FORMAT };
  stage.defaultRouteSettings = { throttlingRateLimit: STAGE_THROTTLE.rateLimit, throttlingBurstLimit: STAGE_THROTTLE.burstLimit };

  const alarmTopic = new Topic(stack, "Alarms", { displayName: `IPS integrations alarms (${config.stage})`, enforceSSL: true });
  if (config.alarmEmail) alarmTopic.addSubscription(new EmailSubscription(config.alarmEmail));
  addAlarm(stack, "HttpApi5xxAlarm", api.metricServerError({ period: ALARM_PERIOD, statistic: "Sum" }),
    `HTTP API answered ${API_5XX_THRESHOLD}+ 5xx in 5 minutes`, alarmTopic, API_5XX_THRESHOLD);

  stack.addOutputs({ ApiUrl: api.apiEndpoint, AlarmTopicArn: alarmTopic.topicArn });
  return { api, appUrl: config.appUrl ?? api.apiEndpoint, alarmTopic };
}
