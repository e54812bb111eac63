// CloudWatch alarms, all publishing to the stage's alarm topic (infra/api.ts; subscribe an address with
// IPS_ALARM_EMAIL). Each fires on the first occurrence in a 5-minute period — these are counts that should
// be zero in a healthy stage — except the API's 5xx, where a few can come from a client cutting the
// connection — and treats no data as fine (a quiet stage is a healthy one).
import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { Construct } from "constructs";

export const ALARM_PERIOD = Duration.minutes(5);
/** 5xx answers from the HTTP API in one period before it alarms. */
export const API_5XX_THRESHOLD = 5;

/** An alarm on `metric` ≥ `threshold` in one period, notifying `topic`. */
export function addAlarm(scope: Construct, id: string, metric: IMetric, description: string, topic: ITopic, threshold = 1): Alarm {
  const alarm = new Alarm(scope, id, {
    metric,
    threshold,
    evaluationPeriods: 1,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: TreatMissingData.NOT_BREACHING,
    alarmDescription: description,
  });
  alarm.addAlarmAction(new SnsAction(topic));
  return alarm;
}

/** Errors (the invocation threw or timed out) and throttles of one function. */
export function addFunctionAlarms(scope: Construct, id: string, fn: IFunction, label: string, topic: ITopic): Alarm[] {
  return [
    addAlarm(scope, `${id}ErrorsAlarm`, fn.metricErrors({ period: ALARM_PERIOD, statistic: "Sum" }), `${label}: invocations failed (error or timeout)`, topic),
    addAlarm(scope, `${id}ThrottlesAlarm`, fn.metricThrottles({ period: ALARM_PERIOD, statistic: "Sum" }), `${label}: invocations throttled (concurrency limit)`, topic),
  ];
}
