import { describe, expect, it } from "vitest";
import { MAX_STAGE_LENGTH, PRODUCTION_STAGE, SHARED_DATABASE_STAGE, stageName } from "./stage.ts";

describe("stageName", () => {
  it("maps main to production", () => {
    expect(stageName({ branch: "main" })).toBe(PRODUCTION_STAGE);
    expect(stageName({ branch: "refs/heads/main" })).toBe(PRODUCTION_STAGE);
  });

  it("sanitizes a branch name to lower-case letters, digits and single dashes", () => {
    expect(stageName({ branch: "feature/Stripe refunds" })).toBe("feature-stripe-refunds");
    expect(stageName({ branch: "refs/heads/fix/__DocuSign__HMAC--keys__" })).toBe("fix-docusign-hmac-keys");
    expect(stageName({ branch: "release/v1.2.3" })).toBe("release-v1-2-3");
  });

  it("caps long names, keeping a hash so branches sharing a prefix get different stages", () => {
    const a = stageName({ branch: "feature/a-very-long-branch-name-about-refunds" });
    const b = stageName({ branch: "feature/a-very-long-branch-name-about-receipts" });
    expect(a.length).toBeLessThanOrEqual(MAX_STAGE_LENGTH);
    expect(b.length).toBeLessThanOrEqual(MAX_STAGE_LENGTH);
    expect(a).not.toBe(b);
    expect(a).toMatch(/^feature-a-very-lo-[0-9a-f]{6}$/);
    expect(stageName({ branch: "feature/a-very-long-branch-name-about-refunds" })).toBe(a);
  });

  it("always starts with a letter and never takes production's or the shared database's stage", () => {
    expect(stageName({ branch: "2026-q3-billing" })).toBe("br-2026-q3-billing");
    expect(stageName({ branch: "production" })).toBe("br-production");
    expect(stageName({ branch: "Preview/Shared" })).toBe(`br-${SHARED_DATABASE_STAGE}`);
    expect(stageName({ branch: "main-hotfix" })).toBe("main-hotfix");
  });

  it("rejects what cannot name a stage", () => {
    expect(() => stageName({ branch: "///" })).toThrow(/no letters or digits/);
  });

  it("every stage is a valid CloudFormation stack-name prefix", () => {
    for (const branch of ["main", "a", "Ünïcødé/branch", "x".repeat(200), "release/v1.2.3", "9", "-lead-"]) {
      expect(stageName({ branch })).toMatch(/^[a-z][a-z0-9-]{0,23}$/);
    }
  });
});
