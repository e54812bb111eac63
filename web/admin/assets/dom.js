// A tiny element builder. Text is always set as text (never as HTML), so nothing the API returns can
// inject markup into the page.

/**
 * h("button", { type: "button", onclick: fn, "aria-pressed": "false" }, "Label", childNode)
 * Attributes starting with "on" become listeners; `false`/`null`/`undefined` attributes are left out.
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") element.addEventListener(name.slice(2), value);
    else if (name === "className") element.className = value;
    else if (name === "value") element.value = value;
    else if (name === "checked") element.checked = Boolean(value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

export function append(parent, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

/** "3 minutes ago"-style text for an ISO time, with the exact time in a title. */
export function timeText(iso) {
  if (!iso) return "never";
  const then = new Date(iso);
  const seconds = Math.round((Date.now() - then.getTime()) / 1000);
  const units = [["day", 86400], ["hour", 3600], ["minute", 60]];
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size) {
      const n = Math.round(seconds / size);
      return `${n} ${unit}${n === 1 ? "" : "s"} ago`;
    }
  }
  return "just now";
}

export const timeElement = (iso) => h("time", { datetime: iso ?? "", title: iso ? new Date(iso).toLocaleString() : "" }, timeText(iso));
