// Building blocks of the pages: elements, formatting, tables, banners and forms that keep drafts.

import { ApiError } from "./api.js";
import { locale, t, label } from "./i18n.js";

// --- elements ---------------------------------------------------------------------------------------

export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (key === "value") el.value = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : String(child));
  }
}

export function link(href, text, attrs = {}) {
  return h("a", { href, ...attrs }, text);
}

export function orderLink(id) {
  return id ? h("a", { href: `#/orders/${encodeURIComponent(id)}`, class: "mono" }, id) : "—";
}

export function returnLink(id) {
  return id ? h("a", { href: `#/returns/${encodeURIComponent(id)}`, class: "mono" }, id) : "—";
}

// --- formatting ---------------------------------------------------------------------------------------

const digitsCache = new Map();

/** Minor-unit digits of a currency (CNY 2, JPY 0), from the platform's own table. */
export function currencyDigits(currency) {
  if (!digitsCache.has(currency)) {
    let digits = 2;
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits;
    } catch {
      /* unknown code: two digits */
    }
    digitsCache.set(currency, digits);
  }
  return digitsCache.get(currency);
}

export function money(minor, currency) {
  if (minor === undefined || minor === null || !currency) return "—";
  const digits = currencyDigits(currency);
  try {
    return new Intl.NumberFormat(locale(), { style: "currency", currency }).format(minor / 10 ** digits);
  } catch {
    return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** "12.50" in the currency's major unit -> 1250; NaN when it is not an amount. */
export function toMinor(text, currency) {
  const cleaned = String(text ?? "").trim().replace(/,/g, "");
  if (!/^\d+(\.\d+)?$/.test(cleaned)) return NaN;
  const digits = currencyDigits(currency || "CNY");
  const [whole, fraction = ""] = cleaned.split(".");
  if (fraction.length > digits) return NaN;
  return Number(whole) * 10 ** digits + Number(fraction.padEnd(digits, "0") || 0);
}

export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(date);
}

export function day(iso) {
  if (!iso) return "—";
  const date = new Date(`${String(iso).slice(0, 10)}T00:00:00Z`);
  return new Intl.DateTimeFormat(locale(), { month: "short", day: "numeric", timeZone: "UTC" }).format(date);
}

export function percent(rate, digits = 1) {
  if (rate === undefined || rate === null || Number.isNaN(Number(rate))) return "—";
  return new Intl.NumberFormat(locale(), { style: "percent", maximumFractionDigits: digits }).format(Number(rate));
}

export function number(value, digits = 1) {
  if (value === undefined || value === null || Number.isNaN(Number(value))) return "—";
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(Number(value));
}

const STATUS_TONE = {
  delivered: "ok", completed: "ok", refunded: "ok", approved: "ok", resolved: "ok", succeeded: "ok",
  active: "ok", paused: "warn", failing: "bad", retrying: "warn", sending: "info", pending: "info",
  inspected: "ok", closed: "", awaiting_fulfillment: "info", shipped: "info", partially_shipped: "info",
  in_transit: "info", received: "info", awaiting_parcel: "info", refund_pending: "warn", intercepting: "info", refund_due: "warn",
  under_review: "warn", requested: "warn", pending_payment: "warn", on_hold: "bad", open: "bad",
  cancelled: "", rejected: "bad", lapsed: "", failed: "bad", exception: "bad", lost: "bad", damaged: "bad",
};

export function status(value) {
  return h("span", { class: `badge ${STATUS_TONE[value] || ""}`, "data-status": value }, label("status", value));
}

export function deadline(iso, overdue) {
  return h("span", {}, when(iso), overdue ? [" ", h("span", { class: "badge bad" }, t("overdue"))] : null);
}

// --- layout pieces --------------------------------------------------------------------------------------

export function card(title, ...children) {
  return h("section", { class: "card" }, title ? h("h2", {}, title) : null, ...children);
}

export function kv(pairs) {
  return h("dl", { class: "kv" }, pairs.filter(Boolean).map(([k, v, cls]) => [h("dt", {}, k), h("dd", { class: cls || null }, v)]));
}

/** A table; rows with an href open their page on click or Enter. */
export function table(columns, rows, { empty = t("nothing_here"), href } = {}) {
  if (!rows.length) return h("p", { class: "empty" }, empty);
  const head = h("tr", {}, columns.map((c) => h("th", { class: c.num ? "num" : null, scope: "col" }, c.title)));
  const body = rows.map((row) => {
    const target = href ? href(row) : null;
    const tr = h("tr", { class: target ? "clickable" : null }, columns.map((c) => h("td", { class: c.num ? "num" : null }, c.cell(row))));
    if (target) {
      tr.addEventListener("click", (event) => {
        if (event.target.closest("a, button, input, select")) return;
        location.hash = target;
      });
    }
    return tr;
  });
  return h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, head), h("tbody", {}, body)));
}

export function unavailable(what) {
  return h("p", { class: "unavailable", "data-unavailable": "" }, t("not_available", { what }));
}

// --- banners --------------------------------------------------------------------------------------------

export function banner(message, tone = "error") {
  const area = document.getElementById("banner");
  area.replaceChildren(
    h("div", { class: `banner ${tone}`, "data-banner": tone },
      h("span", {}, message),
      h("button", { class: "close", type: "button", "aria-label": t("dismiss"), onclick: () => area.replaceChildren() }, "×")),
  );
}

export function clearBanner() {
  document.getElementById("banner").replaceChildren();
}

export function problemText(error) {
  if (!(error instanceof ApiError)) return String(error && error.message ? error.message : error);
  const p = error.problem || {};
  const parts = [p.title, p.detail].filter(Boolean);
  const unplaced = (p.errors || []).map((e) => `${e.field ? `${e.field}: ` : ""}${e.message}`);
  return [...new Set(parts)].join(" — ") + (unplaced.length ? ` (${unplaced.join("; ")})` : "") + (p.code ? ` [${p.code}]` : "");
}

// --- forms ------------------------------------------------------------------------------------------------

const DRAFT_PREFIX = "oms.console.draft.";

function normalizeField(field) {
  return String(field || "").replace(/\[(\d+)\]/g, ".$1").replace(/^body\./, "");
}

function fieldControl(field, id) {
  const common = {
    id,
    name: field.name,
    required: field.required || null,
    "aria-describedby": `${id}-error${field.hint ? ` ${id}-hint` : ""}`,
    autocomplete: "off",
  };
  if (field.type === "select") {
    return h("select", common, field.options.map(([value, text]) => h("option", { value }, text)));
  }
  if (field.type === "textarea") return h("textarea", { ...common, rows: field.rows || 3, placeholder: field.placeholder });
  if (field.type === "radios") {
    return h("div", { class: "radios", role: "radiogroup", "aria-labelledby": `${id}-label` },
      field.options.map(([value, text], i) => h("label", {}, h("input", { type: "radio", name: field.name, value, id: i === 0 ? id : null, required: field.required || null }), text)));
  }
  return h("input", {
    ...common,
    type: field.type === "money" ? "text" : field.type || "text",
    inputmode: field.type === "money" || field.type === "number" ? "decimal" : null,
    placeholder: field.placeholder,
    min: field.min,
    step: field.step,
    list: field.list,
  });
}

/**
 * A form that keeps a draft in sessionStorage, submits on Enter, and shows a problem's field errors next
 * to their fields (errors[].field) and anything else in a banner inside the form.
 * fields: [{name, label, type, options, required, hint, wide, showIf(values)}]
 */
export function form({ id, fields, submit, onSubmit, onDone, extra, tone = "primary", danger = false, resetOnDone = true, inline = false }) {
  const draftKey = DRAFT_PREFIX + id;
  const errorBox = h("div", { class: "form-error", role: "alert" });
  const wrappers = new Map();
  const el = h("form", { id, novalidate: true, "data-form": id, class: inline ? "inline" : null });
  const grid = h("div", { class: "form-grid" });
  fields.forEach((field) => {
    const controlId = `${id}-${field.name.replace(/[^A-Za-z0-9_-]/g, "-")}`;
    const control = fieldControl(field, controlId);
    const wrapper = h("div", { class: `field${field.wide ? " wide" : ""}`, "data-field": field.name },
      field.type === "radios"
        ? h("span", { class: "label", id: `${controlId}-label` }, field.label)
        : h("label", { for: controlId }, field.label),
      control,
      field.hint ? h("span", { class: "hint", id: `${controlId}-hint` }, field.hint) : null,
      h("span", { class: "field-error", id: `${controlId}-error`, "data-error-for": field.name }));
    wrappers.set(field.name, wrapper);
    grid.append(wrapper);
  });
  const button = h("button", { type: "submit", class: danger ? "danger" : tone }, submit);
  append(el, [grid, extra, h("div", { class: "actions" }, button), errorBox]);

  const values = () => {
    const found = {};
    for (const field of fields) {
      if (field.type === "radios") {
        const checked = el.querySelector(`input[name="${CSS.escape(field.name)}"]:checked`);
        found[field.name] = checked ? checked.value : "";
      } else {
        found[field.name] = el.elements.namedItem(field.name).value;
      }
    }
    return found;
  };
  const setValues = (saved) => {
    for (const field of fields) {
      if (!(field.name in saved)) continue;
      if (field.type === "radios") {
        el.querySelectorAll(`input[name="${CSS.escape(field.name)}"]`).forEach((r) => (r.checked = r.value === saved[field.name]));
      } else {
        el.elements.namedItem(field.name).value = saved[field.name];
      }
    }
  };
  const applyVisibility = () => {
    const current = values();
    for (const field of fields) {
      if (field.showIf) wrappers.get(field.name).hidden = !field.showIf(current);
    }
  };
  const clearErrors = () => {
    errorBox.replaceChildren();
    el.querySelectorAll("[data-error-for]").forEach((e) => (e.textContent = ""));
    el.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
  };
  const showProblem = (error) => {
    const problem = error instanceof ApiError ? error.problem : null;
    const unplaced = [];
    let first = null;
    for (const item of (problem && problem.errors) || []) {
      const name = normalizeField(item.field);
      const field = fields.find((f) => normalizeField(f.name) === name)
        || fields.find((f) => name.endsWith(`.${normalizeField(f.name)}`) || normalizeField(f.name).endsWith(`.${name}`));
      const wrapper = field && wrappers.get(field.name);
      if (wrapper && !wrapper.hidden) {
        const message = wrapper.querySelector("[data-error-for]");
        message.textContent = message.textContent ? `${message.textContent}; ${item.message}` : item.message;
        const control = wrapper.querySelector("input, select, textarea");
        control.setAttribute("aria-invalid", "true");
        first = first || control;
      } else {
        unplaced.push(item);
      }
    }
    if (!first || unplaced.length) {
      const shown = error instanceof ApiError ? new ApiError(error.status, { ...problem, errors: first ? unplaced : (problem.errors || []) }) : error;
      errorBox.replaceChildren(h("div", { class: "banner error", "data-banner": "form" }, problemText(shown)));
    }
    (first || button).focus();
  };

  try {
    setValues(JSON.parse(sessionStorage.getItem(draftKey) || "{}"));
  } catch {
    /* a broken draft is dropped */
  }
  applyVisibility();
  el.addEventListener("input", () => {
    sessionStorage.setItem(draftKey, JSON.stringify(values()));
    applyVisibility();
  });
  el.addEventListener("change", applyVisibility);
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const current = values();
    const missing = fields.filter((f) => f.required && !wrappers.get(f.name).hidden && !String(current[f.name] || "").trim());
    if (missing.length) {
      showProblem(new ApiError(422, { title: t("check_fields"), errors: missing.map((f) => ({ field: f.name, message: t("required") })) }));
      return;
    }
    button.disabled = true;
    try {
      const result = await onSubmit(current);
      sessionStorage.removeItem(draftKey);
      if (resetOnDone) el.reset();
      applyVisibility();
      if (onDone) await onDone(result);
    } catch (error) {
      showProblem(error);
    } finally {
      button.disabled = false;
    }
  });
  el.values = values;
  return el;
}

/** A client-side check failed: shown exactly like the API's field errors. */
export function fieldProblem(field, message) {
  return new ApiError(422, { title: t("check_fields"), code: "validation_failed", errors: [{ field, message }] });
}

/** A button that asks once more before it acts (no blocking dialogs). */
export function confirmButton(text, confirmText, action) {
  const button = h("button", { type: "button", class: "danger" }, text);
  let armed = false;
  button.addEventListener("click", async () => {
    if (!armed) {
      armed = true;
      button.textContent = confirmText;
      button.classList.add("confirm");
      return;
    }
    button.disabled = true;
    try {
      await action();
    } catch (error) {
      banner(problemText(error));
      button.disabled = false;
    }
  });
  button.addEventListener("blur", () => {
    armed = false;
    button.textContent = text;
    button.classList.remove("confirm");
  });
  return button;
}
