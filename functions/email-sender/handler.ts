// email-sender: the outbox's job — POST /api/jobs/email-sender (service_role), and every minute on AWS
// (the manifest's schedule). Sends the emails that are due through each tenant's SendGrid; see
// send-due-emails.ts for claiming, retries and why a message is never sent twice by two senders.
import { jobHandler } from "../_shared/http/job-handler.ts";
import { createEmailSender } from "./send-due-emails.ts";

export const handler = jobHandler("email-sender", createEmailSender());
