import { ProblemError } from "../_shared/http/problem-error.ts";

/**
 * Where DocuSign sends the signer's browser after signing: `returnUrl` when it is under `appUrl` (same
 * origin, within its path), else 400 — never an open redirect to another site. Default: the enrollment's
 * page in the portal. DocuSign appends `?event=signing_complete|cancel|…`, which proves nothing: the
 * contract's status comes from Connect.
 * @example returnUrlFor("https://school.example", undefined, id) // "https://school.example/pay/<id>"
 */
export function returnUrlFor(appUrl: string, returnUrl: string | undefined, enrollmentId: string): string {
  const base = new URL(appUrl);
  if (returnUrl === undefined) return new URL(`${base.pathname.replace(/\/$/, "")}/pay/${enrollmentId}`, base).toString();
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    throw invalid();
  }
  const prefix = base.pathname.endsWith("/") ? base.pathname : `${base.pathname}/`;
  if (url.origin !== base.origin || !(url.pathname === base.pathname || url.pathname.startsWith(prefix)) || url.username || url.password) {
    throw invalid();
  }
  return url.toString();
}

const invalid = () => new ProblemError({
  status: 400, title: "Invalid signing request", errors: { returnUrl: ["must be a URL under this app's address (APP_URL)"] },
});
