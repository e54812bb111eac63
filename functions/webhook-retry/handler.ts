// webhook-retry: POST /api/jobs/webhook-retry (service_role), and every minute on AWS (manifest `schedule`).
// Webhook events whose effect failed were stored as `failed` and answered 2xx, so the provider will not
// send them again: this job re-applies them with exponential backoff and jitter until they succeed, or
// marks them `dead` after ten attempts for an admin to look at and replay. Two instances may run at once.
import { jobHandler } from "../_shared/http/job-handler.ts";
import { createRetryJob } from "./retry-due-events.ts";

export const handler = jobHandler("webhook-retry", createRetryJob());
