// The HTTP front of a long job on AWS. API Gateway gives up on an integration after 30 s, and a job's
// Lambda may run for minutes (its budget is the manifest's timeout), so the job's route is served by this
// small function instead: it checks the service_role key exactly as the job would, starts the job's Lambda
// asynchronously with the event its schedule sends — a manual run *is* a scheduled run, started early, with
// the same retries, failure destination and alarms (infra/scheduled-jobs.ts) — and answers 202 at once.
// The job's summary goes to its logs. Only callers allowed lambda:InvokeFunction (this function, EventBridge)
// can hand the job a scheduled event; over HTTP the key is required.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { requireServiceRole } from "../../functions/_shared/auth/service-role.ts";
import { problemForError } from "../../functions/_shared/http/error-problem.ts";
import { createLogger, type Logger } from "../../functions/_shared/http/logger.ts";
import { problem } from "../../functions/_shared/http/responses.ts";

/** Starts `functionName` with `payload` without waiting for it (Lambda `InvocationType: "Event"`). */
export type InvokeAsync = (functionName: string, payload: string) => Promise<void>;

export interface JobStarterOptions {
  env: Readonly<Record<string, string | undefined>>;
  invokeAsync: InvokeAsync;
  log?: Logger;
  now?: () => Date;
}

/** The event an EventBridge schedule delivers, which the Lambda runtime runs as `trigger: "schedule"`. */
export function scheduledEvent(id: string, time: Date, region: string, detail: Record<string, unknown>): Record<string, unknown> {
  return { version: "0", id, "detail-type": "Scheduled Event", source: "aws.events", account: "", time: time.toISOString(), region, resources: [], detail };
}

async function toResult(response: Response): Promise<APIGatewayProxyStructuredResultV2> {
  return { statusCode: response.status, headers: Object.fromEntries(response.headers), body: await response.text() };
}

/**
 * The starter's handler. Needs JOB_SLUG, JOB_FUNCTION_NAME and SUPABASE_JWT_SECRET (from its secret).
 * @example export const handler = createJobStarter({ env: process.env, invokeAsync });
 */
export function createJobStarter(options: JobStarterOptions): (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2> {
  const { env, invokeAsync } = options;
  const slug = env.JOB_SLUG ?? "job";
  const log = options.log ?? createLogger({ fn: `${slug}-starter` });
  return async (event) => {
    const requestId = event.requestContext?.requestId ?? crypto.randomUUID();
    const request = new Request(`https://lambda.invalid${event.rawPath ?? "/"}`, {
      method: event.requestContext?.http?.method ?? "POST",
      headers: Object.entries(event.headers ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
    });
    try {
      await requireServiceRole({ supabaseJwtSecret: env.SUPABASE_JWT_SECRET }, request);
    } catch (error) {
      return toResult(problemForError(error, log.child({ requestId })));
    }
    const runId = crypto.randomUUID();
    try {
      const payload = scheduledEvent(runId, (options.now ?? (() => new Date()))(), env.AWS_REGION ?? "", { startedBy: "http", requestId });
      await invokeAsync(env.JOB_FUNCTION_NAME ?? "", JSON.stringify(payload));
    } catch (error) {
      log.error("job not started", { requestId, error: (error as Error).name });
      return toResult(problem({ status: 503, title: "Job not started", detail: "the job could not be started; try again", headers: { "retry-after": "30" } }));
    }
    log.info("job started", { requestId, runId });
    return { statusCode: 202, headers: { "content-type": "application/json" }, body: JSON.stringify({ accepted: true, job: slug, runId }) };
  };
}

// Provided by the Node.js Lambda runtime; left out of the bundle, loaded on the first start.
const invokeWithSdk: InvokeAsync = async (functionName, payload) => {
  const { LambdaClient, InvokeCommand } = await import("@aws-sdk/client-lambda");
  client ??= new LambdaClient({});
  await client.send(new InvokeCommand({ FunctionName: functionName, InvocationType: "Event", Payload: new TextEncoder().encode(payload) }));
};
let client: import("@aws-sdk/client-lambda").LambdaClient | undefined;

export const handler = createJobStarter({ env: process.env, invokeAsync: invokeWithSdk });
