import { docusignProvider } from "./docusign.ts";
import type { SimulatedProvider } from "./provider.ts";
import { sendgridProvider } from "./sendgrid.ts";
import { stripeProvider } from "./stripe.ts";
import { zoomProvider } from "./zoom.ts";

/** Every provider the simulator signs for, by name. */
export const SIMULATED_PROVIDERS: Readonly<Record<string, SimulatedProvider>> = {
  stripe: stripeProvider,
  docusign: docusignProvider,
  zoom: zoomProvider,
  sendgrid: sendgridProvider,
};
