import { describe, expect, it } from "vitest";
import { displayAmount } from "./display-amount.ts";

describe("displayAmount", () => {
  it("formats whole US cents exactly as Intl's en-US currency format does (without building one)", () => {
    const intl = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
    for (const cents of [0, 1, 5, 99, 100, 15_000, 123_456, 100_000_000, 987_654_321_01, -50, -123_456, 999_999_999_999, -999_999_999_999, 1_000_000_000_000]) {
      expect(displayAmount(cents, "usd")).toBe(intl.format(cents / 100));
      expect(displayAmount(cents, "USD")).toBe(intl.format(cents / 100));
    }
  });

  it("shifts by the currency's own decimals through Intl, for other currencies and fractional cents", () => {
    expect(displayAmount(15_000, "jpy")).toBe("¥15,000");
    expect(displayAmount(15_000, "eur")).toBe("€150.00");
    expect(displayAmount(12.5, "usd")).toBe("$0.13");
    expect(displayAmount(15_000, "eur")).toBe("€150.00"); // the cached formatter answers the same
  });

  it("answers null for a currency Intl does not know", () => {
    expect(displayAmount(100, "not-a-currency")).toBeNull();
    expect(displayAmount(100, "not-a-currency")).toBeNull();
  });
});
