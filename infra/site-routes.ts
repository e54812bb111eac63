// The student pages' paths on the static host: `/pay/{enrollmentId}` and the two pages Stripe Checkout
// returns to are one HTML file each, served for every enrollment id (the dev server maps them the same way:
// functions/runtimes/node/student-pages.ts). Runs as a CloudFront Function (cloudfront-js-2.0) on viewer
// request, so it is plain ES5-ish JavaScript kept in a string; tests evaluate the same string.
export const PAY_PAGE_REWRITE_SOURCE = `
function handler(event) {
  var request = event.request;
  var match = /^\\/pay\\/[0-9a-fA-F-]{36}(\\/success|\\/cancel)?\\/?$/.exec(request.uri);
  if (match) {
    request.uri = match[1] === "/success" ? "/pay/success.html" : match[1] === "/cancel" ? "/pay/cancel.html" : "/pay/index.html";
  }
  return request;
}
`;

/** The headers the dev server sends with the student pages, for CloudFront's response headers policy. */
export const PAY_PAGE_CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// The admin config page: `/admin/config/integrations` is `web/admin/index.html`; its assets are served as they are
// (`/admin/assets/*`, `/admin/vendor/*`, `/admin/auth-config.json`), as on the dev server
// (functions/runtimes/node/admin-page.ts).
export const ADMIN_PAGE_REWRITE_SOURCE = `
function handler(event) {
  var request = event.request;
  if (/^\\/admin\\/config\\/integrations\\/?$/.test(request.uri)) {
    request.uri = "/admin/index.html";
  }
  return request;
}
`;
