import type { IntegrationKey } from "../integrations/catalog.ts";
import type { ConnectionTester } from "./connection-test.ts";

/**
 * Every integration's connection test, loaded on demand so a function that tests one provider does not
 * load every provider's client. Each provider adds its line here.
 */
export const CONNECTION_TESTERS: Partial<Record<IntegrationKey, () => Promise<ConnectionTester>>> = {
  stripe: async () => (await import("./stripe/test-connection.ts")).testStripeConnection,
  docusign: async () => (await import("./docusign/test-connection.ts")).testDocuSignConnection,
  zoom: async () => (await import("./zoom/test-connection.ts")).testZoomConnection,
  sendgrid: async () => (await import("./sendgrid/test-connection.ts")).testSendGridConnection,
};
