import { describe, expect, it } from "vitest";
import { supabaseEnv } from "./supabase-env.ts";

describe("supabaseEnv", () => {
  it("reads JWT_SECRET as SUPABASE_JWT_SECRET, which hosted Supabase does not let you set", () => {
    expect(supabaseEnv({ JWT_SECRET: "from-jwt-secret", ENCRYPTION_KEY: "k" })).toEqual({
      JWT_SECRET: "from-jwt-secret", ENCRYPTION_KEY: "k", SUPABASE_JWT_SECRET: "from-jwt-secret",
    });
  });

  it("keeps an explicit SUPABASE_JWT_SECRET (local serve), and a blank one does not hide JWT_SECRET", () => {
    expect(supabaseEnv({ SUPABASE_JWT_SECRET: "explicit", JWT_SECRET: "other" }).SUPABASE_JWT_SECRET).toBe("explicit");
    expect(supabaseEnv({ SUPABASE_JWT_SECRET: " ", JWT_SECRET: "other" }).SUPABASE_JWT_SECRET).toBe("other");
  });

  it("returns the environment unchanged when neither is set", () => {
    const env = { ENCRYPTION_KEY: "k" };
    expect(supabaseEnv(env)).toBe(env);
  });
});
