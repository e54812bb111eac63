import { RetentionDays } from "aws-cdk-lib/aws-logs";
import { describe, expect, it } from "vitest";
import { FUNCTIONS, type FunctionDefinition } from "../functions/manifest.ts";
import { checkFunctions, stageConfig, startedOverHttp } from "./config.ts";

describe("stageConfig", () => {
  it("production retains, keeps logs 90 days and has its own secrets", () => {
    const config = stageConfig("production", {});
    expect(config).toMatchObject({ production: true, removal: "retain", secretsPrefix: "ips/production", database: { kind: "aurora" } });
    expect(config.logRetention).toBe(RetentionDays.THREE_MONTHS);
    expect(config.functions).toBe(FUNCTIONS);
  });

  it("every other stage destroys, keeps logs 14 days and shares the preview secrets", () => {
    const config = stageConfig("pr-7", {});
    expect(config).toMatchObject({ production: false, removal: "destroy", secretsPrefix: "ips/preview" });
    expect(config.logRetention).toBe(RetentionDays.TWO_WEEKS);
  });

  it("uses an external database when IPS_DATABASE_URL_SECRET names a secret", () => {
    expect(stageConfig("pr-7", { IPS_DATABASE_URL_SECRET: "ips/preview/DATABASE_URL" }).database)
      .toEqual({ kind: "external", urlSecret: "ips/preview/DATABASE_URL" });
    const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:ips/preview/DATABASE_URL-AbCdEf";
    expect(stageConfig("pr-7", { IPS_DATABASE_URL_SECRET: arn }).database).toEqual({ kind: "external", urlSecret: arn });
  });

  it("refuses a connection string where a secret's name belongs, without echoing it", () => {
    const url = "postgres://postgres:hunter2@db.example.supabase.co:6543/postgres";
    expect(() => stageConfig("pr-7", { IPS_DATABASE_URL_SECRET: url })).toThrow(/IPS_DATABASE_URL_SECRET must be the name or ARN/);
    try {
      stageConfig("pr-7", { IPS_DATABASE_URL_SECRET: url });
    } catch (error) {
      expect((error as Error).message).not.toContain("hunter2");
    }
  });

  it("reads the secrets prefix and public URLs", () => {
    const config = stageConfig("feature-x", {
      IPS_SECRETS_PREFIX: "school/staging/",
      IPS_APP_URL: "https://pay.example.edu",
      IPS_SUPABASE_URL: "https://abc.supabase.co",
    });
    expect(config).toMatchObject({ secretsPrefix: "school/staging", appUrl: "https://pay.example.edu", supabaseUrl: "https://abc.supabase.co" });
    expect(() => stageConfig("x", { IPS_APP_URL: "pay.example.edu" })).toThrow(/IPS_APP_URL must be an https:\/\/ URL/);
  });
});

describe("checkFunctions", () => {
  const base: FunctionDefinition = { slug: "a", routes: [{ method: "GET", path: "/a" }], auth: "admin", secrets: [], timeoutSeconds: 5 };

  it("accepts the manifest", () => {
    expect(() => checkFunctions(FUNCTIONS)).not.toThrow();
  });

  it("rejects a duplicate slug and an entry that would deploy nothing", () => {
    expect(() => checkFunctions([base, base])).toThrow(/lists "a" twice/);
    expect(() => checkFunctions([{ ...base, routes: [] }])).toThrow(/neither routes nor a schedule/);
    expect(() => checkFunctions([{ ...base, routes: [], schedule: "rate(5 minutes)" }])).not.toThrow();
  });

  it("refuses a route to a function that may outlive API Gateway's 30 s, unless it is a job (started, answered 202)", () => {
    expect(() => checkFunctions([{ ...base, timeoutSeconds: 29 }])).not.toThrow();
    expect(() => checkFunctions([{ ...base, timeoutSeconds: 30 }])).toThrow(/"a": a function behind an HTTP route must finish within API Gateway's 30 s — timeoutSeconds 30 > 29/);
    const job = { ...base, timeoutSeconds: 300, schedule: "rate(1 hour)" };
    expect(() => checkFunctions([job])).not.toThrow();
    expect(startedOverHttp(job)).toBe(true);
    expect(startedOverHttp({ ...job, timeoutSeconds: 20 })).toBe(false);
    expect(startedOverHttp({ ...job, routes: [] })).toBe(false);
  });
});

describe("IPS_ALARM_EMAIL", () => {
  it("is where alarms are mailed, when it is an address", () => {
    expect(stageConfig("feature-x", {}).alarmEmail).toBeUndefined();
    expect(stageConfig("feature-x", { IPS_ALARM_EMAIL: "ops@school.example" }).alarmEmail).toBe("ops@school.example");
    expect(() => stageConfig("feature-x", { IPS_ALARM_EMAIL: "ops at school" })).toThrow(/IPS_ALARM_EMAIL must be an email address/);
  });
});
