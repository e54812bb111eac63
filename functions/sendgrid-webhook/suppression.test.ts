// suppressionOf under fuzzing: whatever an Event Webhook element holds (fields SendGrid documents, random
// values, odd addresses), it never throws and only ever answers a row the table's checks accept.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { SendGridEvent } from "../_shared/verify/sendgrid.ts";
import { suppressionOf } from "./suppression.ts";

const TENANT = "0b8e7a52-4a1f-4f43-8f0b-3c2d1e0f9a8b";
const EVENTS = ["bounce", "dropped", "spamreport", "unsubscribe", "group_unsubscribe", "group_resubscribe", "delivered", "open", "click", "deferred", "processed"];

describe("suppressionOf", () => {
  it("never throws, and answers only lower-cased addresses of 3–320 characters with a known reason and scope", () => {
    fc.assert(fc.property(
      fc.record({
        event: fc.oneof(fc.constantFrom(...EVENTS), fc.string()),
        email: fc.oneof(fc.emailAddress(), fc.string(), fc.constant("A@B"), fc.constant("a@"), fc.anything()),
        type: fc.oneof(fc.constantFrom("bounce", "blocked"), fc.anything()),
        reason: fc.oneof(fc.constantFrom("Bounced Address", "Unsubscribed Address", "Spam Reporting Address", "Invalid", "Invalid SMTPAPI header"), fc.anything()),
        sg_event_id: fc.string(),
      }, { requiredKeys: ["event", "sg_event_id"] }),
      (event) => {
        // What arrives is JSON of any shape: SendGridEvent's field types are what we hope for, not a guarantee.
        const row = suppressionOf(TENANT, event as SendGridEvent);
        if (row === null) return;
        expect(row.email).toBe(row.email.toLowerCase());
        expect(row.email.length).toBeGreaterThanOrEqual(3);
        expect(row.email.length).toBeLessThanOrEqual(320);
        expect(["bounce", "dropped", "spamreport", "unsubscribe", "group_unsubscribe"]).toContain(row.reason);
        expect(["all", "marketing"]).toContain(row.scope);
        expect(row.detail === null || row.detail.length <= 500).toBe(true);
      },
    ), { numRuns: 2_000 });
  });

  it.each([
    [{ event: "bounce", type: "bounce" }, { reason: "bounce", scope: "all" }],
    [{ event: "bounce", type: "blocked" }, null],
    [{ event: "dropped", reason: "Spam Reporting Address" }, { reason: "dropped", scope: "all" }],
    [{ event: "dropped", reason: "Unsubscribed Address" }, { reason: "dropped", scope: "marketing" }],
    [{ event: "dropped", reason: "Recipient List over Package Quota" }, null],
    [{ event: "unsubscribe" }, { reason: "unsubscribe", scope: "marketing" }],
    [{ event: "group_resubscribe", asm_group_id: 1 }, null],
  ])("maps %o to %o", (fields, expected) => {
    const row = suppressionOf(TENANT, { sg_event_id: "e1", email: "Pat@Example.COM", ...fields });
    expect(row).toEqual(expected === null ? null : expect.objectContaining({ tenantId: TENANT, email: "pat@example.com", ...expected }));
  });
});
