// The student payment page (/pay/{enrollmentId}, …/success, …/cancel): plain browser JavaScript, no build.
// It asks GET /api/checkout/enrollments/{id} what is due, and a button POSTs to start Stripe Checkout (or
// open the Billing Portal) and then goes to the URL the API answers.
//
// The bearer token comes in the URL fragment — `#access_token=…` (a Supabase sign-in redirect) or `#token=…`
// (the development sign-in) — which the browser never sends to a server, a proxy or its logs. The page keeps
// it in sessionStorage for this tab only and removes it from the address bar so it is not bookmarked or
// shared. A token in the query string is never used (it has already been sent to the server); it is
// removed from the address bar all the same.
"use strict";

(function () {
  const TOKEN_KEY = "ips.accessToken";
  const $ = (id) => document.getElementById(id);
  const enrollmentId = decodeURIComponent(location.pathname.split("/")[2] || "");
  const page = document.body.dataset.page;

  function takeToken() {
    const url = new URL(location.href);
    const fragment = new URLSearchParams(url.hash.replace(/^#/, ""));
    const fromFragment = fragment.get("access_token") || fragment.get("token");
    if (fromFragment) sessionStorage.setItem(TOKEN_KEY, fromFragment);
    const leaked = url.searchParams.has("token") || url.searchParams.has("access_token");
    if (fromFragment || leaked) {
      url.searchParams.delete("token");
      url.searchParams.delete("access_token");
      history.replaceState(null, "", url.pathname + url.search);
    }
    return sessionStorage.getItem(TOKEN_KEY);
  }

  const token = takeToken();

  function show(id, visible) {
    $(id).hidden = !visible;
  }

  function say(text) {
    $("status").textContent = text;
  }

  function fail(text) {
    $("error").textContent = text;
    show("error", true);
  }

  /** "€150.00" from minor units, with the currency's own number of decimals (none for JPY). */
  function money(amount, currency) {
    const format = new Intl.NumberFormat(undefined, { style: "currency", currency: currency.toUpperCase() });
    return format.format(amount / 10 ** format.resolvedOptions().maximumFractionDigits);
  }

  async function api(method, path, body) {
    const response = await fetch(path, {
      method,
      headers: { authorization: "Bearer " + token, ...(body ? { "content-type": "application/json" } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    const answer = await response.json().catch(() => ({}));
    if (!response.ok) {
      const reason = response.status === 401 ? "Your sign-in has expired. Please sign in again."
        : response.status === 404 ? "This enrollment was not found for your account."
        : answer.detail || answer.title || "Something went wrong (" + response.status + ").";
      throw new Error(reason);
    }
    return answer;
  }

  /** Starts a Stripe page (Checkout or Billing Portal) from a button, which stays disabled until then. */
  function goTo(button, path) {
    button.addEventListener("click", async () => {
      button.disabled = true;
      show("error", false);
      say("Opening Stripe's secure page…");
      try {
        const { url } = await api("POST", path, { enrollmentId });
        location.assign(url);
      } catch (error) {
        button.disabled = false;
        say("");
        fail(error.message);
        button.focus();
      }
    });
  }

  function renderFee(fee) {
    if (fee.status === "not_offered") return;
    show("fee", true);
    const amount = fee.amount === null ? "" : money(fee.amount, fee.currency);
    const text = {
      due: "Due: " + amount + ".",
      processing: "Your payment of " + amount + " is being processed.",
      paid: "Paid: " + amount + ". Thank you.",
    }[fee.status];
    $("fee-text").textContent = text;
    show("fee-pay", fee.status === "due");
  }

  function renderTuition(tuition) {
    if (tuition.status === "not_offered" && !tuition.subscription) return;
    show("tuition", true);
    const subscription = tuition.subscription;
    if (tuition.status === "subscribed") {
      const until = subscription.currentPeriodEnd ? new Date(subscription.currentPeriodEnd).toLocaleDateString() : null;
      $("tuition-text").textContent = subscription.cancelAtPeriodEnd
        ? "Your tuition subscription ends" + (until ? " on " + until : "") + "."
        : "Your tuition subscription is " + subscription.status.replace("_", " ") + (until ? "; next payment on " + until : "") + ".";
    } else {
      $("tuition-text").textContent = tuition.status === "available"
        ? "Pay tuition monthly by card; you can cancel at any time."
        : "Monthly tuition is not offered online yet.";
    }
    show("tuition-start", tuition.status === "available");
  }

  async function main() {
    if (!/^[0-9a-f-]{36}$/i.test(enrollmentId)) return fail("This payment link is not complete.");
    const back = $("back");
    if (back) back.href = "/pay/" + enrollmentId;
    if (!token) return fail("Please sign in to the school's portal first, then open this page again.");
    if (page !== "pay") return;

    try {
      const due = await api("GET", "/api/checkout/enrollments/" + encodeURIComponent(enrollmentId));
      if (due.enrollment.studentName) {
        $("student").textContent = "Student: " + due.enrollment.studentName;
        show("student", true);
      }
      renderFee(due.enrollmentFee);
      renderTuition(due.tuition);
      show("portal", due.billingPortal.available);
      const nothing = due.enrollmentFee.status === "not_offered" && $("tuition").hidden;
      say(nothing ? "There is nothing to pay online for this enrollment." : "");
    } catch (error) {
      say("");
      fail(error.message);
    }
  }

  goTo($("fee-pay") || document.createElement("button"), "/api/checkout/enrollment-fee");
  goTo($("tuition-start") || document.createElement("button"), "/api/checkout/tuition");
  goTo($("portal-open") || document.createElement("button"), "/api/billing/portal");
  main();
})();
