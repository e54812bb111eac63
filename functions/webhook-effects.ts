// What each provider's stored events do, by source, for the code that re-applies stored events outside a
// delivery (the retry job, an admin's replay). Each webhook function exports its `effectOf` from
// `functions/<slug>/effects.ts` and adds one line here. Loaded on demand: a function that re-applies Stripe
// events does not load the others.
import type { IntegrationKey } from "./_shared/integrations/catalog.ts";
import type { EffectOf } from "./_shared/webhooks/record-event.ts";

export const WEBHOOK_EFFECTS: Partial<Record<IntegrationKey, () => Promise<EffectOf>>> = {
  stripe: async () => (await import("./stripe-webhook/effects.ts")).effectOf,
  sendgrid: async () => (await import("./sendgrid-webhook/effects.ts")).effectOf,
  zoom: async () => (await import("./zoom-webhook/effects.ts")).effectOf,
  docusign: async () => (await import("./docusign-webhook/effects.ts")).effectOf,
};
