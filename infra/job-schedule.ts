// A manifest entry's schedule on AWS: an EventBridge rule invoking its Lambda, wherever the Lambda lives (the
// Webhooks or Admin stack for a job with routes, the ScheduledJobs stack otherwise).
// A job's Lambda receives an EventBridge event; createLambdaHandler runs the job for it (ctx.trigger = "schedule")
// and throws when the job fails. EventBridge invokes Lambda asynchronously, so a run can fail in two places,
// and both end in the stack's dead-letter queue: EventBridge could not deliver the event (retried by the
// rule's target), or the job threw or timed out (retried by Lambda's async invocation config). Alarms watch
// the queue and the rule's FailedInvocations.
import { Duration } from "aws-cdk-lib";
import { Metric } from "aws-cdk-lib/aws-cloudwatch";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsDestination } from "aws-cdk-lib/aws-lambda-destinations";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import { Queue, QueueEncryption, type IQueue } from "aws-cdk-lib/aws-sqs";
import type { Construct } from "constructs";
import type { FunctionDefinition } from "../functions/manifest.ts";
import { addAlarm, ALARM_PERIOD } from "./alarms.ts";
import { constructId } from "./lambda-function.ts";

/**
 * Retries of one scheduled run, by EventBridge (delivery) and by Lambda (the job failed). A run older than
 * MAX_EVENT_AGE is dropped to the dead-letter queue rather than retried: by then a later run has started.
 */
export const JOB_RETRY_ATTEMPTS = { delivery: 2, execution: 1 };
export const MAX_EVENT_AGE = Duration.minutes(15);
const DEAD_LETTER_ID = "ScheduledJobsDeadLetterQueue";

/** The stack's queue for failed scheduled runs (made once per stack), with its alarm. */
function deadLetterQueue(scope: Construct, topic: ITopic): IQueue {
  const existing = scope.node.tryFindChild(DEAD_LETTER_ID) as IQueue | undefined;
  if (existing) return existing;
  const queue = new Queue(scope, DEAD_LETTER_ID, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    // The longest SQS keeps a message: time to look at what failed (the event or invocation record, no secrets).
    retentionPeriod: Duration.days(14),
  });
  addAlarm(scope, `${DEAD_LETTER_ID}Alarm`, queue.metricApproximateNumberOfMessagesVisible({ period: ALARM_PERIOD, statistic: "Maximum" }),
    "A scheduled job run failed after its retries (see the dead-letter queue)", topic);
  return queue;
}

/** The rule invoking `fn` on the entry's schedule, with its failure handling; none for an unscheduled entry. */
export function addSchedule(scope: Construct, definition: FunctionDefinition, fn: IFunction, topic: ITopic): Rule | undefined {
  if (!definition.schedule) return undefined;
  if (!/^(rate|cron)\(.+\)$/.test(definition.schedule)) {
    throw new Error(`"${definition.slug}": schedule must be rate(…) or cron(…), got "${definition.schedule}"`);
  }
  const id = constructId(definition.slug);
  const queue = deadLetterQueue(scope, topic);
  const rule = new Rule(scope, `${id}Schedule`, {
    description: `IPS ${definition.slug}: ${definition.schedule}`,
    schedule: Schedule.expression(definition.schedule),
    targets: [new LambdaFunction(fn, { deadLetterQueue: queue, retryAttempts: JOB_RETRY_ATTEMPTS.delivery, maxEventAge: MAX_EVENT_AGE })],
  });
  fn.configureAsyncInvoke({ onFailure: new SqsDestination(queue), retryAttempts: JOB_RETRY_ATTEMPTS.execution, maxEventAge: MAX_EVENT_AGE });
  const failed = new Metric({
    namespace: "AWS/Events", metricName: "FailedInvocations", dimensionsMap: { RuleName: rule.ruleName }, period: ALARM_PERIOD, statistic: "Sum",
  });
  addAlarm(scope, `${id}ScheduleFailedAlarm`, failed, `IPS ${definition.slug}: EventBridge could not invoke the job`, topic);
  return rule;
}

