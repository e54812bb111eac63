import { h } from "./dom.js";

/**
 * An accessible tab list (WAI-ARIA tabs pattern): one tab in the Tab order, arrow keys / Home / End move
 * between tabs and activate them, each tab controls its panel.
 * @example const tabs = createTabs(listEl, [{ id: "stripe", label: "Stripe", panel }], (id) => {});
 */
export function createTabs(list, items, onSelect) {
  const tabs = items.map((item) =>
    h("button", {
      type: "button", role: "tab", id: `tab-${item.id}`, "aria-controls": item.panel.id, "aria-selected": "false", tabindex: "-1",
      className: "tab", onclick: () => select(item.id, false),
    }, item.label, item.badge ?? null));
  list.replaceChildren(...tabs);
  for (const item of items) {
    item.panel.setAttribute("role", "tabpanel");
    item.panel.setAttribute("aria-labelledby", `tab-${item.id}`);
    item.panel.setAttribute("tabindex", "0");
  }

  function select(id, focus) {
    items.forEach((item, i) => {
      const selected = item.id === id;
      tabs[i].setAttribute("aria-selected", String(selected));
      tabs[i].tabIndex = selected ? 0 : -1;
      item.panel.hidden = !selected;
      if (selected && focus) tabs[i].focus();
    });
    onSelect?.(id);
  }

  list.addEventListener("keydown", (event) => {
    const current = tabs.indexOf(document.activeElement);
    if (current < 0) return;
    const last = tabs.length - 1;
    const next = { ArrowRight: current === last ? 0 : current + 1, ArrowLeft: current === 0 ? last : current - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    select(items[next].id, true);
  });

  select(items[0].id, false);
  return { select: (id) => select(id, false), tabs };
}
