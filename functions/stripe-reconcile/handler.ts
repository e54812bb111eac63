// stripe-reconcile: POST /api/jobs/stripe-reconcile (service_role), and every hour on AWS (manifest `schedule`).
// Stripe retries a webhook for three days and then gives up; an outage longer than that, a disabled
// integration or a wrong endpoint secret would lose events. This job asks Stripe, per tenant, for the events
// it could not deliver (last 30 days) and ingests the ones we lack through the webhook's own idempotent path.
import { jobHandler } from "../_shared/http/job-handler.ts";
import { createReconcileJob } from "./reconcile-job.ts";

export const handler = jobHandler("stripe-reconcile", createReconcileJob());
