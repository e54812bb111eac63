// The Events section: the tenant's webhook events, newest first, with filters, "Load more", and Replay.
import { problemText } from "./api.js";
import { h, timeElement } from "./dom.js";

export function createEventsSection({ api, form, body, more, status }) {
  let cursor = null;

  function query() {
    const data = new FormData(form);
    const params = new URLSearchParams();
    for (const name of ["source", "status", "type"]) {
      const value = String(data.get(name) ?? "").trim();
      if (value) params.set(name, value);
    }
    const before = String(data.get("before") ?? "");
    if (before) params.set("before", new Date(before).toISOString());
    params.set("limit", "25");
    return params;
  }

  function row(event) {
    const replay = h("button", { type: "button", className: `button button-small${event.status === "failed" || event.status === "dead" ? " button-primary" : ""}`,
      "aria-label": `Replay ${event.type} ${event.externalId}`, onclick: () => replayEvent(event, tr, replay) }, "Replay");
    const tr = h("tr", { "data-event-id": event.id },
      h("td", {}, timeElement(event.createdAt)),
      h("td", {}, event.source),
      h("td", { className: "mono" }, event.type, h("br"), h("span", { className: "muted" }, event.externalId)),
      h("td", {}, h("span", { className: `badge badge-${event.status}` }, event.status)),
      h("td", {}, String(event.attempts)),
      h("td", { className: "error-cell" }, event.lastError ?? ""),
      h("td", {}, replay));
    return tr;
  }

  async function replayEvent(event, tr, button) {
    button.disabled = true;
    status.textContent = `Replaying ${event.type}…`;
    const answer = await api.post(`/api/admin/webhook-events/${event.id}/replay`, {});
    if (!answer.ok) {
      status.textContent = problemText(answer);
      button.disabled = false;
      return;
    }
    const replaced = row(answer.data.event);
    tr.replaceWith(replaced);
    status.textContent = answer.data.outcome === "processed"
      ? `Replayed ${event.type}: processed.`
      : `Replay of ${event.type} failed again: ${answer.data.error ?? "see the last error"}.`;
    replaced.querySelector("button")?.focus();
  }

  async function load(append) {
    const params = query();
    if (append && cursor) params.set("cursor", cursor);
    status.textContent = "Loading events…";
    const answer = await api.get(`/api/admin/webhook-events?${params}`);
    if (!answer.ok) {
      status.textContent = problemText(answer) + (answer.data.errors ? ` (${Object.keys(answer.data.errors).join(", ")})` : "");
      return;
    }
    const rows = answer.data.events.map(row);
    if (append) body.append(...rows);
    else body.replaceChildren(...rows);
    cursor = answer.data.nextCursor;
    more.hidden = !cursor;
    const shown = body.children.length;
    status.textContent = shown ? `${shown} event${shown === 1 ? "" : "s"} shown${cursor ? "; more are available" : ""}.` : "No events match these filters.";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void load(false);
  });
  more.addEventListener("click", () => void load(true));
  return { load: () => load(false) };
}
