import { describe, expect, it } from "vitest";
import { ADMIN_PAGE_REWRITE_SOURCE, PAY_PAGE_REWRITE_SOURCE } from "./site-routes.ts";

// The CloudFront Function's own source, evaluated as CloudFront would call it.
const rewrite = new Function(`${PAY_PAGE_REWRITE_SOURCE}; return handler;`)() as (event: { request: { uri: string } }) => { uri: string };
const uriFor = (uri: string) => rewrite({ request: { uri } }).uri;
const ID = "0b7e5a4c-2f1d-4c8e-9a6b-3d2f1e0c9b8a";

describe("student page rewrite (CloudFront Function)", () => {
  it.each([
    [`/pay/${ID}`, "/pay/index.html"],
    [`/pay/${ID}/`, "/pay/index.html"],
    [`/pay/${ID}/success`, "/pay/success.html"],
    [`/pay/${ID}/cancel`, "/pay/cancel.html"],
  ])("maps %s to %s", (uri, file) => expect(uriFor(uri)).toBe(file));

  it.each([["/pay/assets/pay.js"], ["/pay/not-an-id"], [`/pay/${ID}/other`], ["/index.html"]])("leaves %s as it is", (uri) => {
    expect(uriFor(uri)).toBe(uri);
  });
});

describe("admin config page rewrite (CloudFront Function)", () => {
  const adminRewrite = new Function(`${ADMIN_PAGE_REWRITE_SOURCE}; return handler;`)() as (event: { request: { uri: string } }) => { uri: string };
  const adminUriFor = (uri: string) => adminRewrite({ request: { uri } }).uri;

  it.each([["/admin/config/integrations"], ["/admin/config/integrations/"]])("maps %s to /admin/index.html", (uri) => {
    expect(adminUriFor(uri)).toBe("/admin/index.html");
  });

  it.each([["/admin/assets/app.js"], ["/admin/vendor/supabase.js"], ["/admin/auth-config.json"], ["/admin/config/integrations/x"], ["/admin/index.html"]])(
    "leaves %s as it is",
    (uri) => expect(adminUriFor(uri)).toBe(uri),
  );
});
