import { describe, expect, it } from "vitest";
import { textCustomField } from "./text-custom-field.ts";

// Custom fields as DocuSign lists them on an envelope: `customFields.textCustomFields[{fieldId, name, show,
// required, value}]`, `show`/`required` as strings (docusign/docusign-esign-node-client `docs/TextCustomField.md`).
const envelope = {
  envelopeId: "2b5a0d3e-6f41-4c8a-9d7e-1f2a3b4c5d6e",
  customFields: {
    textCustomFields: [
      { fieldId: "10001", name: "tenantId", show: "false", required: "false", value: "6a1f…tenant" },
      { fieldId: "10002", name: "enrollmentId", show: "false", required: "false", value: "0f6f…enrollment" },
    ],
    listCustomFields: [],
  },
};

describe("textCustomField", () => {
  it("reads a field's value by name", () => {
    expect(textCustomField(envelope, "enrollmentId")).toBe("0f6f…enrollment");
    expect(textCustomField(envelope, "tenantId")).toBe("6a1f…tenant");
  });

  it("is undefined for a field the envelope does not carry", () => {
    expect(textCustomField(envelope, "studentId")).toBeUndefined();
    expect(textCustomField({ envelopeId: "x" }, "tenantId")).toBeUndefined();
  });

  it("returns the raw value, not coerced: a marker that is not a string stays one", () => {
    expect(textCustomField({ customFields: { textCustomFields: [{ name: "tenantId", value: 42 }] } }, "tenantId")).toBe(42);
  });

  it("treats anything of the wrong shape as absent, never throws", () => {
    for (const odd of [undefined, null, "envelope", 7, [], { customFields: null }, { customFields: [] },
      { customFields: { textCustomFields: "tenantId" } }, { customFields: { textCustomFields: [null, 3, "x", ["tenantId"]] } }]) {
      expect(textCustomField(odd, "tenantId")).toBeUndefined();
    }
  });
});
