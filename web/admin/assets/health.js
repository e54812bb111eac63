// The Health section: a card per integration (state, last test, last event, events and failures over
// 24 h / 7 d, backlog), the events-per-day chart, and the signature failures by source and reason.
import { problemText } from "./api.js";
import { INTEGRATIONS } from "./catalog.js";
import { clear, h, timeElement } from "./dom.js";
import { renderEventsChart } from "./chart.js";

const STATUS_TEXT = { ok: "Healthy", warning: "Needs attention", error: "Failing", disabled: "Disabled", not_configured: "Not configured" };

function card(item, payments, email) {
  const name = INTEGRATIONS.find((i) => i.key === item.key)?.name ?? item.key;
  const row = (label, ...value) => h("div", { className: "stat" }, h("dt", {}, label), h("dd", {}, ...value));
  return h("article", { className: `card health-card health-${item.status}`, "aria-labelledby": `health-${item.key}` },
    h("div", { className: "panel-head" }, h("h3", { id: `health-${item.key}` }, name), h("span", { className: `badge badge-${item.status}` }, STATUS_TEXT[item.status] ?? item.status)),
    h("dl", { className: "stats" },
      row("Last test", item.lastTest ? `${item.lastTest.ok ? "passed" : "failed"} ` : "never", item.lastTest ? timeElement(item.lastTest.at) : null),
      row("Last event", timeElement(item.lastEventAt)),
      row("Events 24 h / 7 d", `${item.events.last24h} / ${item.events.last7d}`),
      row("Processing failures 24 h / 7 d", `${item.processingFailures.last24h} / ${item.processingFailures.last7d}`),
      row("Signature failures 24 h / 7 d", `${item.signatureFailures.last24h} / ${item.signatureFailures.last7d}`),
      row("Awaiting retry", String(item.awaitingRetry)),
      row("Dead-lettered", String(item.deadLettered)),
      row("Oldest unprocessed", item.oldestUnprocessedAt ? timeElement(item.oldestUnprocessedAt) : "none"),
      // Chargebacks and inquiries not decided yet: each needs evidence or a decision in the Stripe Dashboard.
      item.key === "stripe" && payments ? row("Open disputes", String(payments.openDisputes.count)) : null,
      // Addresses SendGrid reported undeliverable or opted out, and the contract and payment mail that bounced.
      ...(item.key === "sendgrid" && email ? [
        row("Suppressed addresses", `${email.suppressions.total} (${email.suppressions.marketingOnly} marketing only)`),
        row("Suppressed messages 24 h / 7 d", `${email.suppressedMessages.last24h} / ${email.suppressedMessages.last7d}`),
        row("Bounced contract and payment emails 7 d", String(email.bouncedContractAndPaymentEmails.last7d)),
      ] : [])));
}

export function createHealthSection({ api, cards, chart, failures, announce }) {
  return {
    async load() {
      const [health, metrics, signatures] = await Promise.all([
        api.get("/api/admin/health"), api.get("/api/admin/metrics?days=30"), api.get("/api/admin/webhook-events/signature-failures"),
      ]);
      if (!health.ok) return announce(problemText(health));
      cards.replaceChildren(...health.data.integrations.map((item) => card(item, health.data.payments, health.data.email)));
      if (metrics.ok) renderEventsChart(chart, metrics.data);
      clear(failures).append(h("h3", {}, "Signature failures"));
      if (!signatures.ok) return failures.append(h("p", { className: "error" }, problemText(signatures)));
      const { total, bySource } = signatures.data;
      failures.append(h("p", {}, `${total.last24h} in the last 24 hours, ${total.last7d} in the last 7 days. Requests are counted with their reason only, never their content.`));
      if (bySource.length) {
        failures.append(h("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-label": "Signature failures by source and reason" },
          h("table", {},
            h("thead", {}, h("tr", {}, ...["Source", "Reason", "24 h", "7 d", "Last"].map((c) => h("th", { scope: "col" }, c)))),
            h("tbody", {}, bySource.map((r) => h("tr", {}, h("td", {}, r.source), h("td", { className: "mono" }, r.reason), h("td", {}, r.last24h), h("td", {}, r.last7d), h("td", {}, timeElement(r.lastAt))))))));
      }
    },
  };
}
