// The stage settings issue 7 added: the config page's Supabase sign-in values and the rate limits handed to
// the functions (each kind of function gets only the limit that applies to it).
import { describe, expect, it } from "vitest";
import { functionDefinition } from "../functions/manifest.ts";
import { stageConfig } from "./config.ts";
import { functionEnvironment, type EnvironmentDeps } from "./lambda-function.ts";

const deps = (env: Record<string, string>): EnvironmentDeps => ({
  config: stageConfig("pr-7", env),
  database: { secretId: "db-secret", environment: {} } as unknown as EnvironmentDeps["database"],
  appUrl: "https://app.example.edu",
});
const secretIds = { ENCRYPTION_KEY: "k", ENCRYPTION_KEYS_OLD: "o", SUPABASE_JWT_SECRET: "j" } as Parameters<typeof functionEnvironment>[2];

describe("stage settings for the admin page and rate limits", () => {
  it("reads IPS_SUPABASE_ANON_KEY and the IPS_*_RATE_LIMIT_PER_MINUTE variables; none set leaves the functions' defaults", () => {
    expect(stageConfig("pr-7", {})).toMatchObject({ supabaseAnonKey: undefined, rateLimits: { webhookPerMinute: undefined, userPerMinute: undefined } });
    expect(stageConfig("pr-7", { IPS_SUPABASE_ANON_KEY: "anon", IPS_WEBHOOK_RATE_LIMIT_PER_MINUTE: "3000", IPS_USER_RATE_LIMIT_PER_MINUTE: "0" }))
      .toMatchObject({ supabaseAnonKey: "anon", rateLimits: { webhookPerMinute: "3000", userPerMinute: "0" } });
    expect(() => stageConfig("pr-7", { IPS_WEBHOOK_RATE_LIMIT_PER_MINUTE: "many" })).toThrow(/IPS_WEBHOOK_RATE_LIMIT_PER_MINUTE must be a whole number/);
  });

  it("gives webhooks the per-IP limit and admin functions the per-user limit", () => {
    const d = deps({ IPS_WEBHOOK_RATE_LIMIT_PER_MINUTE: "3000", IPS_USER_RATE_LIMIT_PER_MINUTE: "120" });
    const webhook = functionEnvironment(functionDefinition("stripe-webhook"), d, secretIds);
    const admin = functionEnvironment(functionDefinition("admin-health"), d, secretIds);

    expect(webhook.WEBHOOK_RATE_LIMIT_PER_MINUTE).toBe("3000");
    expect(webhook).not.toHaveProperty("USER_RATE_LIMIT_PER_MINUTE");
    expect(admin.USER_RATE_LIMIT_PER_MINUTE).toBe("120");
    expect(admin).not.toHaveProperty("WEBHOOK_RATE_LIMIT_PER_MINUTE");
    expect(functionEnvironment(functionDefinition("stripe-webhook"), deps({}), secretIds)).not.toHaveProperty("WEBHOOK_RATE_LIMIT_PER_MINUTE");
  });
});
