// The Integrations section: a tab per integration, each with its credentials (never shown back: the stored
// value appears only as the API's masked hint, and a blank field keeps it), settings, Test Connection,
// Enabled, Save Configuration, and the tenant's webhook URL with the setup steps at the provider.
import { problemText } from "./api.js";
import { INTEGRATIONS } from "./catalog.js";
import { clear, h, timeElement } from "./dom.js";
import { createTabs } from "./tabs.js";

const fieldId = (key, group, name) => `f-${key}-${group}-${name.replaceAll(".", "-")}`;

function credentialInput(key, field) {
  const id = fieldId(key, "credentials", field.name);
  const common = { id, name: field.name, autocomplete: "new-password", spellcheck: "false", "aria-describedby": `${id}-hint ${id}-error`, "data-credential": field.name };
  return field.multiline ? h("textarea", { ...common, rows: field.list ? 3 : 4 }) : h("input", { ...common, type: "password" });
}

function settingInput(key, field) {
  const id = fieldId(key, "settings", field.name);
  const common = { id, name: field.name, "aria-describedby": `${id}-hint ${id}-error`, "data-setting": field.name };
  if (field.type === "select") return h("select", common, field.options.map((option) => h("option", { value: option }, option)));
  if (field.type === "checkbox") return h("input", { ...common, type: "checkbox" });
  return h("input", { ...common, type: field.type === "number" ? "number" : field.type, inputmode: field.type === "number" ? "numeric" : null, maxlength: field.maxlength ?? null, autocomplete: "off" });
}

// `required`: enabling the integration needs this field (the API's `requiredToEnable`); saving it disabled does not.
function fieldBlock(input, label, hint, required = false) {
  const id = input.id;
  const isCheckbox = input.type === "checkbox";
  if (required) input.setAttribute("aria-describedby", `${id}-required ${input.getAttribute("aria-describedby")}`);
  return h("div", { className: isCheckbox ? "field field-checkbox" : "field", "data-required-to-enable": required ? "true" : null },
    isCheckbox ? input : null,
    h("label", { for: id }, label),
    required ? h("span", { className: "required-to-enable", id: `${id}-required` }, "Required to enable") : null,
    isCheckbox ? null : input,
    h("p", { className: "hint", id: `${id}-hint` }, hint ?? ""),
    h("p", { className: "field-error", id: `${id}-error` }));
}

const settingValue = (settings, name) => name.split(".").reduce((value, part) => (value ?? {})[part], settings);

export function createIntegrationsSection({ api, root, tabList, announce }) {
  const panels = new Map();

  function renderPanel(definition, view, lastTest) {
    const { key } = definition;
    const panel = panels.get(key) ?? h("div", { id: `panel-${key}`, className: "panel" });
    panels.set(key, panel);
    clear(panel);

    const badge = h("span", { className: `badge badge-${view.enabled ? "ok" : view.configured ? "off" : "none"}`, id: `state-${key}` },
      view.enabled ? "Enabled" : view.configured ? "Disabled" : "Not configured");
    const result = h("p", { className: "result", id: `result-${key}`, role: "status", "aria-live": "polite" });
    const lastTestText = h("p", { className: "muted", id: `last-test-${key}` });
    showLastTest(lastTestText, lastTest);

    const required = new Set(view.requiredToEnable ?? []);
    const credentialFields = definition.credentials.map((field) => {
      const input = credentialInput(key, field);
      const stored = view.credentials[field.name];
      const storedText = stored === undefined ? "Not set." : `Stored: ${Array.isArray(stored) ? stored.join(", ") : stored} — leave blank to keep it.`;
      return fieldBlock(input, field.label, [storedText, field.hint].filter(Boolean).join(" "), required.has(`credentials.${field.name}`));
    });
    const settingFields = definition.settings.map((field) => {
      const input = settingInput(key, field);
      const value = settingValue(view.settings, field.name);
      if (field.type === "checkbox") input.checked = Boolean(value);
      else if (value !== undefined && value !== null) input.value = String(value);
      return fieldBlock(input, field.label, field.hint, required.has(`settings.${field.name}`));
    });
    const enabled = h("input", { type: "checkbox", role: "switch", id: `enabled-${key}`, checked: view.enabled, "aria-describedby": `enabled-${key}-hint` });

    const form = h("form", { className: "stack", novalidate: true, "aria-label": `${definition.name} configuration` },
      h("fieldset", {}, h("legend", {}, "Credentials"), credentialFields),
      h("fieldset", {}, h("legend", {}, "Settings"), settingFields),
      h("div", { className: "switch-row" }, enabled, h("label", { for: `enabled-${key}` }, "Enabled"),
        h("p", { className: "hint", id: `enabled-${key}-hint` },
          "Webhooks are accepted only while enabled. Enabling needs the fields marked “Required to enable”.")),
      h("div", { className: "actions" },
        h("button", { type: "button", className: "button", id: `test-${key}`, onclick: () => testConnection(definition, form, result, lastTestText) }, "Test Connection"),
        h("button", { type: "submit", className: "button button-primary", id: `save-${key}` }, "Save Configuration")),
      result,
      lastTestText);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void save(definition, form, result);
    });

    const urlId = `webhook-url-${key}`;
    const webhook = h("section", { className: "webhook", "aria-labelledby": `webhook-title-${key}` },
      h("h4", { id: `webhook-title-${key}` }, "Webhook"),
      h("label", { for: urlId }, `${definition.name} webhook URL for your school`),
      h("div", { className: "copy-row" },
        h("textarea", { id: urlId, readonly: true, rows: 3, value: view.webhookUrl, className: "mono url", spellcheck: "false" }),
        h("button", { type: "button", className: "button", onclick: (event) => copy(view.webhookUrl, event.currentTarget) }, "Copy")),
      h("ol", { className: "steps" }, definition.steps.map((step) => h("li", {}, step))));

    panel.append(
      h("div", { className: "panel-head" }, h("h3", {}, definition.name), badge),
      h("p", { className: "muted" }, definition.purpose),
      h("div", { className: "panel-grid" }, form, webhook));
    return panel;
  }

  function showLastTest(element, lastTest) {
    clear(element);
    if (!lastTest) return;
    element.append("Last test: ", lastTest.ok ? "passed " : `failed (${lastTest.error ?? "no reason given"}) `, timeElement(lastTest.at), ".");
  }

  function collect(definition, form) {
    const credentials = {};
    for (const field of definition.credentials) {
      const value = form.querySelector(`[data-credential="${field.name}"]`).value;
      if (!value.trim()) continue;
      credentials[field.name] = field.list ? value.split("\n").map((line) => line.trim()).filter(Boolean) : value;
    }
    const settings = {};
    for (const field of definition.settings) {
      const input = form.querySelector(`[data-setting="${field.name}"]`);
      let value;
      if (field.type === "checkbox") value = input.checked;
      else if (field.type === "number") value = input.value.trim() === "" ? null : Number(input.value);
      else value = input.value.trim() === "" ? null : input.value.trim();
      const [name, sub] = field.name.split(".");
      if (sub) {
        if (value !== null) (settings[name] ??= {})[sub] = value;
        else settings[name] ??= null;
      } else settings[name] = value;
    }
    return { credentials, settings };
  }

  function showErrors(definition, form, errors = {}) {
    for (const element of form.querySelectorAll(".field-error")) element.textContent = "";
    for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
    let first = null;
    const unplaced = [];
    for (const [path, messages] of Object.entries(errors)) {
      const [group, ...rest] = path.split(".");
      const input = document.getElementById(fieldId(definition.key, group, rest.join(".")));
      if (!input) {
        unplaced.push(`${path}: ${messages.join(", ")}`);
        continue;
      }
      input.setAttribute("aria-invalid", "true");
      document.getElementById(`${input.id}-error`).textContent = messages.join(" ");
      first ??= input;
    }
    first?.focus();
    return unplaced;
  }

  async function testConnection(definition, form, result, lastTestText) {
    const button = form.querySelector(`#test-${definition.key}`);
    button.disabled = true;
    result.className = "result";
    result.textContent = `Testing ${definition.name}…`;
    try {
      const answer = await api.post(`/api/admin/integrations/${definition.key}/test`, collect(definition, form));
      const unplaced = showErrors(definition, form, answer.data.errors);
      if (!answer.ok) {
        result.className = "result result-error";
        result.textContent = [problemText(answer), ...unplaced].join(" ");
        return;
      }
      result.className = answer.data.ok ? "result result-ok" : "result result-error";
      result.textContent = answer.data.ok
        ? `Connection OK. ${detailsText(answer.data.details)}`
        : `Connection failed: ${answer.data.error}`;
      showLastTest(lastTestText, { at: answer.data.testedAt, ok: answer.data.ok, error: answer.data.error ?? null });
    } finally {
      button.disabled = false;
    }
  }

  function detailsText(details = {}) {
    return Object.entries(details)
      .map(([name, value]) => `${name.replace(/([A-Z])/g, " $1").toLowerCase()}: ${Array.isArray(value) ? value.join(", ") : String(value)}`)
      .join("; ");
  }

  async function save(definition, form, result) {
    const button = form.querySelector(`#save-${definition.key}`);
    button.disabled = true;
    result.className = "result";
    result.textContent = "Saving…";
    try {
      const body = { enabled: form.querySelector(`#enabled-${definition.key}`).checked, ...collect(definition, form) };
      const answer = await api.put(`/api/admin/integrations/${definition.key}`, body);
      const unplaced = showErrors(definition, form, answer.data.errors);
      if (!answer.ok) {
        result.className = "result result-error";
        result.textContent = [problemText(answer), ...unplaced].join(" ");
        return;
      }
      const lastTest = document.getElementById(`last-test-${definition.key}`);
      const keep = lastTest?.textContent ? lastTest.cloneNode(true) : null;
      renderPanel(definition, answer.data, null);
      if (keep) document.getElementById(`last-test-${definition.key}`).replaceWith(keep);
      const saved = document.getElementById(`result-${definition.key}`);
      saved.className = "result result-ok";
      saved.textContent = ["Saved.", ...(answer.data.warnings ?? [])].join(" ");
      announce(`${definition.name} saved`);
    } finally {
      if (button.isConnected) button.disabled = false;
    }
  }

  async function copy(text, button) {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const input = button.previousElementSibling;
      input.select();
      document.execCommand("copy");
    }
    button.textContent = "Copied";
    setTimeout(() => (button.textContent = "Copy"), 2000);
  }

  return {
    async load() {
      const [list, health] = await Promise.all([api.get("/api/admin/integrations"), api.get("/api/admin/health")]);
      if (!list.ok) {
        announce(problemText(list));
        return;
      }
      const views = new Map(list.data.integrations.map((view) => [view.key, view]));
      const tests = new Map((health.ok ? health.data.integrations : []).map((item) => [item.key, item.lastTest]));
      clear(root);
      const items = INTEGRATIONS.map((definition) => {
        const panel = renderPanel(definition, views.get(definition.key), tests.get(definition.key));
        root.append(panel);
        return { id: definition.key, label: definition.name, panel };
      });
      createTabs(tabList, items);
    },
  };
}
