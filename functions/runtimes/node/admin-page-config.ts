// What the config page is told about sign-in, and the headers it is served with — shared by the dev server
// (admin-page.ts) and the static site (infra/site.ts), so both serve the page alike.

/** `/admin/auth-config.json`: public values only (Supabase's anon key is meant for browsers). */
export interface AdminPageAuthConfig {
  /** Supabase sign-in (email and password) when both are set. */
  supabaseUrl: string | null;
  supabaseAnonKey: string | null;
  /** `npm run dev` only: the "sign in as the local admin" button, backed by GET /api/dev/token. */
  devSignIn: boolean;
}

/**
 * The page's Content-Security-Policy: scripts and styles from its own origin only (no inline code), API calls
 * to its own origin, and to Supabase's auth endpoint when sign-in goes there. No framing, no referrer.
 * @example adminContentSecurityPolicy("https://abc.supabase.co")
 */
export function adminContentSecurityPolicy(supabaseUrl: string | null | undefined): string {
  const connect = ["'self'", ...(supabaseUrl ? [new URL(supabaseUrl).origin] : [])].join(" ");
  return `default-src 'none'; script-src 'self'; style-src 'self'; connect-src ${connect}; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}

/** Every header the page and its assets are served with. */
export function adminPageSecurityPolicy(supabaseUrl: string | null | undefined): Record<string, string> {
  return {
    "content-security-policy": adminContentSecurityPolicy(supabaseUrl),
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
  };
}
