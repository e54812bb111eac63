// Who is signed in. Three ways in, by what the server says is available (/admin/auth-config.json):
// - Supabase Auth (email + password) through the vendored @supabase/supabase-js, loaded only when used;
// - on `npm run dev`, "Sign in as the local admin" (GET /api/dev/token) or a pasted access token.
// The token lives in sessionStorage: it ends with the tab, and is never put in the address bar.

const STORAGE_KEY = "ips-admin-token";

function claimsOf(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")));
  } catch {
    return null;
  }
}

export function createSession({ onChange }) {
  let config = { supabaseUrl: null, supabaseAnonKey: null, devSignIn: false };
  let supabase = null;
  let pendingMessage = "";

  async function loadSupabase() {
    if (supabase || !config.supabaseUrl || !config.supabaseAnonKey) return supabase;
    const { createClient } = await import("/admin/vendor/supabase.js");
    supabase = createClient(config.supabaseUrl, config.supabaseAnonKey, {
      auth: { storage: window.sessionStorage, persistSession: true, autoRefreshToken: true, detectSessionInUrl: false },
    });
    supabase.auth.onAuthStateChange((_event, session) => {
      if (!session) return;
      sessionStorage.setItem(STORAGE_KEY, session.access_token);
    });
    return supabase;
  }

  const session = {
    get config() {
      return config;
    },
    async init() {
      const response = await fetch("/admin/auth-config.json", { cache: "no-store" });
      if (response.ok) config = await response.json();
      if (config.supabaseUrl && config.supabaseAnonKey) {
        const client = await loadSupabase();
        const { data } = await client.auth.getSession();
        if (data.session) sessionStorage.setItem(STORAGE_KEY, data.session.access_token);
      }
    },
    /** The current access token (refreshed by supabase-js when it signs in), or null. */
    async accessToken() {
      if (supabase) {
        const { data } = await supabase.auth.getSession();
        if (data.session) return data.session.access_token;
      }
      const token = sessionStorage.getItem(STORAGE_KEY);
      const claims = token && claimsOf(token);
      if (!claims || (claims.exp && claims.exp * 1000 < Date.now())) return null;
      return token;
    },
    async claims() {
      const token = await session.accessToken();
      return token ? claimsOf(token) : null;
    },
    async signInWithPassword(email, password) {
      const client = await loadSupabase();
      const { data, error } = await client.auth.signInWithPassword({ email, password });
      if (error) throw new Error(error.message);
      sessionStorage.setItem(STORAGE_KEY, data.session.access_token);
      onChange();
    },
    async signInAsLocalAdmin() {
      const response = await fetch("/api/dev/token", { cache: "no-store" });
      if (!response.ok) throw new Error("the development sign-in is not available here");
      const { accessToken } = await response.json();
      sessionStorage.setItem(STORAGE_KEY, accessToken);
      onChange();
    },
    useToken(token) {
      const trimmed = token.trim();
      if (!claimsOf(trimmed)) throw new Error("that is not an access token (a JWT has three dot-separated parts)");
      sessionStorage.setItem(STORAGE_KEY, trimmed);
      onChange();
    },
    signOut(message = "") {
      sessionStorage.removeItem(STORAGE_KEY);
      pendingMessage = message;
      if (supabase) void supabase.auth.signOut();
      onChange();
    },
    takeMessage() {
      const message = pendingMessage;
      pendingMessage = "";
      return message;
    },
  };
  return session;
}
