import { describe, expect, it } from "vitest";
import { CATALOG } from "./catalog.ts";

describe("zoom settings: defaultHostEmail", () => {
  it("is optional, trimmed and lower-cased", () => {
    expect(CATALOG.zoom.settings.parse({})).toEqual({ autoRecording: "none" });
    expect(CATALOG.zoom.settings.parse({ defaultHostEmail: "  Ms.Rivera@School.example " })).toEqual({ autoRecording: "none", defaultHostEmail: "ms.rivera@school.example" });
  });

  it.each([["not an email", "ms.rivera"], ["a number", 42], ["empty", ""]])("refuses %s, naming the field", (_name, value) => {
    const parsed = CATALOG.zoom.settings.safeParse({ defaultHostEmail: value });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues.map((i) => i.path.join("."))).toEqual(["defaultHostEmail"]);
  });
});
