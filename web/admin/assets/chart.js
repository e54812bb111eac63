// The events-per-day chart, drawn as inline SVG (no chart library): one bar per day, stacked as applied
// events and failures (failed or dead-lettered), with a text summary for screen readers and the same
// numbers as a table.
import { h } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attributes = {}, ...children) => {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  for (const child of children) element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return element;
};

/** Every UTC day from `from` to `to` (YYYY-MM-DD), inclusive. */
export function daysBetween(from, to) {
  const days = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) days.push(new Date(t).toISOString().slice(0, 10));
  return days;
}

/** Per day: events applied (processed, or received and not yet failed) and failures (failed + dead). */
export function dailyTotals(metrics) {
  const totals = new Map(daysBetween(metrics.from, metrics.to).map((day) => [day, { day, ok: 0, failed: 0 }]));
  for (const row of metrics.events) {
    const total = totals.get(row.day);
    if (!total) continue;
    if (row.status === "failed" || row.status === "dead") total.failed += row.count;
    else total.ok += row.count;
  }
  return [...totals.values()];
}

function niceMax(value) {
  if (value <= 4) return 4;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 2.5, 5, 10].map((step) => step * magnitude).find((candidate) => candidate >= value);
}

export function renderEventsChart(container, metrics) {
  const totals = dailyTotals(metrics);
  const width = 720;
  const height = 240;
  const margin = { top: 12, right: 12, bottom: 28, left: 40 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const max = niceMax(Math.max(0, ...totals.map((t) => t.ok + t.failed)));
  const band = plotWidth / Math.max(1, totals.length);
  const barWidth = Math.max(2, band * 0.7);
  const y = (value) => margin.top + plotHeight - (value / max) * plotHeight;

  const sumOk = totals.reduce((n, t) => n + t.ok, 0);
  const sumFailed = totals.reduce((n, t) => n + t.failed, 0);
  const busiest = totals.reduce((best, t) => (t.ok + t.failed > best.ok + best.failed ? t : best), totals[0] ?? { day: "", ok: 0, failed: 0 });
  const summary = `${sumOk + sumFailed} events from ${metrics.from} to ${metrics.to}: ${sumOk} applied, ${sumFailed} failed or dead-lettered.`
    + (busiest && busiest.ok + busiest.failed > 0 ? ` Busiest day ${busiest.day} with ${busiest.ok + busiest.failed}.` : "");

  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-labelledby": "chart-svg-title chart-svg-desc", class: "chart" },
    svg("title", { id: "chart-svg-title" }, "Webhook events per day"),
    svg("desc", { id: "chart-svg-desc" }, summary));
  for (const tick of [0, max / 2, max]) {
    chart.append(
      svg("line", { x1: margin.left, x2: width - margin.right, y1: y(tick), y2: y(tick), class: "grid" }),
      svg("text", { x: margin.left - 6, y: y(tick) + 4, class: "axis", "text-anchor": "end" }, String(tick)));
  }
  totals.forEach((t, i) => {
    const x = margin.left + i * band + (band - barWidth) / 2;
    const bar = svg("g", { class: "bar" }, svg("title", {}, `${t.day}: ${t.ok} applied, ${t.failed} failed`));
    if (t.ok) bar.append(svg("rect", { x, y: y(t.ok), width: barWidth, height: plotHeight + margin.top - y(t.ok), class: "ok" }));
    if (t.failed) bar.append(svg("rect", { x, y: y(t.ok + t.failed), width: barWidth, height: y(t.ok) - y(t.ok + t.failed), class: "failed" }));
    chart.append(bar);
    // Every 7th day counted back from today, so the last label is today and labels never collide.
    if ((totals.length - 1 - i) % 7 === 0) {
      chart.append(svg("text", { x: x + barWidth / 2, y: height - 8, class: "axis", "text-anchor": "middle" }, t.day.slice(5)));
    }
  });

  const legend = h("p", { className: "legend" },
    h("span", { className: "swatch swatch-ok", "aria-hidden": "true" }), "Applied ",
    h("span", { className: "swatch swatch-failed", "aria-hidden": "true" }), "Failed or dead-lettered");
  const table = h("details", {},
    h("summary", {}, "Show as a table"),
    h("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-label": "Events per day" },
      h("table", {},
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Day (UTC)"), h("th", { scope: "col" }, "Applied"), h("th", { scope: "col" }, "Failed"))),
        h("tbody", {}, totals.filter((t) => t.ok + t.failed > 0).map((t) => h("tr", {}, h("td", {}, t.day), h("td", {}, t.ok), h("td", {}, t.failed)))))));
  container.replaceChildren(chart, legend, h("p", { className: "muted", id: "chart-summary" }, summary), table);
}
