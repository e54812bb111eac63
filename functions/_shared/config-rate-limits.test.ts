import { describe, expect, it } from "vitest";
import { TEST_ENCRYPTION_KEY, TEST_JWT_SECRET } from "../../tests/support/services.ts";
import { ConfigError, loadConfig } from "./config.ts";

const base = { ENCRYPTION_KEY: TEST_ENCRYPTION_KEY, SUPABASE_JWT_SECRET: TEST_JWT_SECRET };

describe("rate limit configuration", () => {
  it("defaults to 6000 webhook requests per IP and 600 requests per user, per minute", async () => {
    expect((await loadConfig(base)).rateLimits).toEqual({ webhookPerMinute: 6000, userPerMinute: 600 });
  });

  it("reads WEBHOOK_RATE_LIMIT_PER_MINUTE and USER_RATE_LIMIT_PER_MINUTE; 0 turns a limit off", async () => {
    const config = await loadConfig({ ...base, WEBHOOK_RATE_LIMIT_PER_MINUTE: " 5000 ", USER_RATE_LIMIT_PER_MINUTE: "0" });
    expect(config.rateLimits).toEqual({ webhookPerMinute: 5000, userPerMinute: 0 });
  });

  it.each([["WEBHOOK_RATE_LIMIT_PER_MINUTE", "lots"], ["USER_RATE_LIMIT_PER_MINUTE", "-1"], ["WEBHOOK_RATE_LIMIT_PER_MINUTE", "1.5"]])(
    "refuses %s=%s with an error naming the variable",
    async (name, value) => {
      const error = await loadConfig({ ...base, [name]: value }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).variable).toBe(name);
    },
  );
});

describe("TRUST_PROXY_HOPS", () => {
  it("is unset by default (each runtime's own default applies) and reads a hop count", async () => {
    expect((await loadConfig(base)).trustProxyHops).toBeUndefined();
    expect((await loadConfig({ ...base, TRUST_PROXY_HOPS: " 0 " })).trustProxyHops).toBe(0);
    expect((await loadConfig({ ...base, TRUST_PROXY_HOPS: "2" })).trustProxyHops).toBe(2);
  });

  it.each(["-1", "1.5", "one", "11", "999"])("refuses TRUST_PROXY_HOPS=%s with one line naming the variable, not the value", async (value) => {
    const error = await loadConfig({ ...base, TRUST_PROXY_HOPS: value }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe("TRUST_PROXY_HOPS");
    expect((error as ConfigError).message).toBe("TRUST_PROXY_HOPS must be a whole number of proxies from 0 to 10");
  });
});
