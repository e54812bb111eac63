// Other functions, for the tests in a function's folder that drive them: an admin function's suite fed by
// real webhook deliveries, the retry job's suite re-applying what the webhook stored. A function's folder
// never imports another's (tests/boundaries.test.ts); its tests reach the others through this one seam.
export { handler as stripeWebhook } from "../../functions/stripe-webhook/handler.ts";
export { handler as docusignWebhook } from "../../functions/docusign-webhook/handler.ts";
export { handler as docusignAdmin } from "../../functions/docusign-admin/handler.ts";
export { handler as sendgridWebhook } from "../../functions/sendgrid-webhook/handler.ts";
export { effectOf as stripeEffectOf } from "../../functions/stripe-webhook/effects.ts";
