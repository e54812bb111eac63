import type { Env } from "../function-app.ts";

/**
 * The environment as `loadConfig` reads it, from a Supabase Edge Function's. Supabase refuses secret names
 * starting with `SUPABASE_` (`supabase secrets set` rejects them and none carries the JWT secret), so there
 * the admin token secret is set as `JWT_SECRET`; an explicit `SUPABASE_JWT_SECRET` (local serve) still wins.
 * @example const config = await loadConfig(supabaseEnv(Deno.env.toObject()));
 */
export function supabaseEnv(env: Env): Env {
  const jwtSecret = env.SUPABASE_JWT_SECRET?.trim() ? env.SUPABASE_JWT_SECRET : env.JWT_SECRET;
  return jwtSecret === undefined ? env : { ...env, SUPABASE_JWT_SECRET: jwtSecret };
}
