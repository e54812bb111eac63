// The config page: sign in, then Integrations / Health / Events (sections switched by the address's #hash,
// so the browser's back button and bookmarks work).
import { createApi, SessionExpiredError } from "./api.js";
import { createEventsSection } from "./events.js";
import { createHealthSection } from "./health.js";
import { createIntegrationsSection } from "./integrations.js";
import { createSession } from "./session.js";

const $ = (id) => document.getElementById(id);
const SECTIONS = ["integrations", "health", "events"];

const pageStatus = $("page-status");
const announce = (message) => (pageStatus.textContent = message);

const session = createSession({ onChange: () => void render() });
const api = createApi(session);
const integrations = createIntegrationsSection({ api, root: $("integration-panels"), tabList: $("integration-tabs"), announce });
const health = createHealthSection({ api, cards: $("health-cards"), chart: $("events-chart"), failures: $("signature-failures"), announce });
const events = createEventsSection({ api, form: $("event-filters"), body: $("events-body"), more: $("events-more"), status: $("events-status") });
const loaded = new Set();

async function showSection() {
  const current = SECTIONS.includes(location.hash.slice(1)) ? location.hash.slice(1) : "integrations";
  for (const name of SECTIONS) {
    $(name).hidden = name !== current;
    const link = document.querySelector(`[data-section="${name}"]`);
    if (name === current) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  // Health is reloaded on every visit (its numbers move); the others once, then by their own buttons.
  if (current === "health" || !loaded.has(current)) {
    loaded.add(current);
    await guarded(() => ({ integrations, health, events })[current].load());
  }
}

async function guarded(work) {
  try {
    await work();
  } catch (error) {
    if (!(error instanceof SessionExpiredError)) announce(`Something went wrong: ${error.message}`);
  }
}

async function render() {
  const claims = await session.claims();
  const signedIn = Boolean(claims);
  $("sign-in").hidden = signedIn;
  $("app").hidden = !signedIn;
  $("account").hidden = !signedIn;
  if (!signedIn) {
    loaded.clear();
    const { config } = session;
    const supabase = Boolean(config.supabaseUrl && config.supabaseAnonKey);
    $("supabase-form").hidden = !supabase;
    $("dev-sign-in").hidden = !config.devSignIn;
    $("no-sign-in").hidden = supabase || config.devSignIn;
    announce(session.takeMessage());
    return;
  }
  const role = claims.app_metadata?.role ?? "member";
  $("account-label").textContent = `${claims.email ?? claims.sub} · school ${claims.app_metadata?.tenant_id ?? "?"}${role === "admin" ? "" : ` (${role})`}`;
  announce(role === "admin" ? "" : "This account is not a school admin: the admin pages will refuse it.");
  await showSection();
}

function signInError(error) {
  $("sign-in-error").textContent = error instanceof Error ? error.message : String(error);
}

$("supabase-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  void session.signInWithPassword($("sign-in-email").value, $("sign-in-password").value).catch(signInError);
});
$("dev-sign-in-button").addEventListener("click", () => {
  $("sign-in-error").textContent = "";
  void session.signInAsLocalAdmin().catch(signInError);
});
$("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  $("sign-in-error").textContent = "";
  try {
    session.useToken($("token-input").value);
    $("token-input").value = "";
  } catch (error) {
    signInError(error);
  }
});
$("sign-out").addEventListener("click", () => session.signOut("Signed out."));
$("health-refresh").addEventListener("click", () => void guarded(() => health.load()));
window.addEventListener("hashchange", () => {
  // The skip link's #main is not a section.
  if (SECTIONS.includes(location.hash.slice(1))) void showSection().then(() => $("main").focus());
});

await guarded(() => session.init());
await render();
