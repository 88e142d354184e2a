// Reports for a date range: orders and GMV per day, returns by reason and category, SLA compliance,
// exceptions by kind and how the carriers do. Each report degrades on its own when its endpoint or a
// field is missing.

import { barChart, hbarChart, niceMax, splitBar } from "../chart.js";
import { go } from "../router.js";
import { label, t } from "../i18n.js";
import { card, currencyDigits, day, form, h, money, number, percent, table, unavailable } from "../ui.js";

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function defaultRange() {
  const to = new Date();
  const from = new Date(to.getTime() - 29 * 86400000);
  return { from: isoDay(from), to: isoDay(to) };
}

async function fetchReport(api, path, range) {
  try {
    return { data: await api.get(path, range) };
  } catch (error) {
    return error.missing ? { missing: true } : { error };
  }
}

function stat(name, text) {
  return h("div", { class: "stat", "data-stat": name }, h("div", { class: "label" }, t(name)), h("div", { class: "value" }, text));
}

function failed(result, title) {
  if (result.missing) return unavailable(title);
  if (result.error) return h("p", { class: "banner error" }, result.error.message);
  return null;
}

function ordersSection(result) {
  const title = t("report_orders");
  const problem = failed(result, title);
  if (problem) return [card(title, problem), card(t("report_exceptions"), unavailable(t("report_exceptions")))];
  const r = result.data;
  const totals = r.totals || {};
  const days = r.days || [];
  const gmvCurrencies = Object.keys(totals.gmv || {}).concat(...days.map((d) => Object.keys(d.gmv || {})));
  const cur = gmvCurrencies[0] || "CNY";
  const points = days.map((d) => ({ label: day(d.date), value: d.orders || 0, line: ((d.gmv || {})[cur] || 0) / 10 ** currencyDigits(cur) }));
  const gmvText = Object.entries(totals.gmv || {}).map(([c, v]) => money(v, c)).join(" + ") || "—";
  const kinds = Object.entries(r.exceptions_by_kind || {}).sort((a, b) => b[1] - a[1]);
  return [
    h("section", { class: "card", "data-report": "orders" }, h("h2", {}, title),
      h("div", { class: "stats" },
        stat("orders", number(totals.orders, 0)),
        stat("gmv", gmvText),
        stat("cancellation_rate", percent(totals.cancellation_rate)),
        stat("exception_rate", percent(totals.exception_rate)),
        stat("fulfilment_hours_avg", totals.fulfilment_hours_avg == null ? "—" : `${number(totals.fulfilment_hours_avg)} h`),
        stat("delivery_hours_avg", totals.delivery_hours_avg == null ? "—" : `${number(totals.delivery_hours_avg)} h`),
        stat("order_edits", `${number(totals.edits ?? 0, 0)} / ${number(totals.edits_lapsed ?? 0, 0)}`)),
      days.length ? [barChart(points, { title: t("orders_per_day"), format: (v) => number(v, 0), lineFormat: (v) => number(v, 0), showLine: true, integer: true, width: 1180 }),
        h("div", { class: "legend" }, h("span", {}, h("i"), t("orders")), h("span", {}, h("i", { class: "line" }), `${t("gmv")} (${cur})`))]
        : h("p", { class: "empty" }, t("no_data"))),
    h("section", { class: "card", "data-report": "exceptions" }, h("h2", {}, t("report_exceptions")),
      kinds.length ? hbarChart(kinds.map(([k, v]) => ({ label: label("exception", k), value: v, tone: "bad" })), { title: t("report_exceptions"), format: (v) => number(v, 0) })
        : h("p", { class: "empty" }, r.exceptions_by_kind ? t("no_exceptions") : t("field_missing"))),
  ];
}

function rateRows(rows, key) {
  return (rows || []).map((row) => ({ label: label(key, row[key]), value: Number(row.rate) || 0, note: t("n_returns", { n: row.returns ?? "—" }) }));
}

function returnsSection(result) {
  const title = t("report_returns");
  const problem = failed(result, title);
  if (problem) return [card(title, problem), card(t("report_sla"), unavailable(t("report_sla")))];
  const r = result.data;
  const ratesChart = (rows, key, chartTitle) => (rows && rows.length
    ? [h("h3", {}, chartTitle), hbarChart(rateRows(rows, key), { title: chartTitle, format: (v) => percent(v), max: Math.min(1, niceMax(Math.max(...rateRows(rows, key).map((x) => x.value), 0.0001))) })]
    : [h("h3", {}, chartTitle), h("p", { class: "empty" }, rows ? t("no_data") : t("field_missing"))]);
  const sla = (name, s) => (s
    ? [h("h3", {}, t(name)), splitBar(s.met || 0, s.breached || 0, { title: t(name), metLabel: t("met"), breachedLabel: t("breached"), rateText: percent(s.compliance) })]
    : [h("h3", {}, t(name)), h("p", { class: "empty" }, t("field_missing"))]);
  return [
    h("section", { class: "card", "data-report": "returns" }, h("h2", {}, title),
      h("div", { class: "stats" },
        stat("returns", number(r.returns, 0)),
        stat("return_rate", percent(r.return_rate)),
        stat("approval_rate", percent(r.approval_rate)),
        stat("instant_refunds", number(r.instant_refunds, 0)),
        stat("instant_dispute_rate", percent(r.instant_dispute_rate)),
        stat("refunds_only", number((r.refund_only || {}).refunds, 0)),
        stat("exchanges_approved", number((r.exchanges || {}).approved, 0))),
      ratesChart(r.by_reason, "reason", t("return_rate_by_reason")),
      ratesChart(r.by_category, "category", t("return_rate_by_category"))),
    h("section", { class: "card", "data-report": "sla" }, h("h2", {}, t("report_sla")), sla("review_sla", r.review_sla), sla("refund_sla", r.refund_sla)),
  ];
}

function carriersSection(result) {
  const title = t("report_carriers");
  const problem = failed(result, title);
  if (problem) return card(title, problem);
  const rows = result.data.carriers || [];
  return h("section", { class: "card", "data-report": "carriers" }, h("h2", {}, title),
    rows.length ? [
      hbarChart(rows.map((c) => ({ label: label("carrier", c.carrier), value: Number(c.on_time_rate) || 0, tone: "ok" })), { title: t("on_time_rate"), format: (v) => percent(v), max: 1, width: 1180 }),
      h("h3", {}, t("by_carrier")),
      table([
        { title: t("carrier"), cell: (c) => label("carrier", c.carrier) },
        { title: t("shipments"), num: true, cell: (c) => number(c.shipments, 0) },
        { title: t("delivered"), num: true, cell: (c) => number(c.delivered, 0) },
        { title: t("on_time_rate"), num: true, cell: (c) => percent(c.on_time_rate) },
        { title: t("transit_hours"), num: true, cell: (c) => number(c.average_transit_hours) },
        { title: t("exception_rate"), num: true, cell: (c) => percent(c.exception_rate) },
        { title: t("damage_rate"), num: true, cell: (c) => percent(c.damage_rate) },
        { title: t("loss_rate"), num: true, cell: (c) => percent(c.loss_rate) },
      ], rows),
      result.data.basis ? h("p", { class: "hint" }, result.data.basis) : null,
    ] : h("p", { class: "empty" }, t("no_data")));
}

function feedbackTable(rows, key) {
  return table([
    { title: t(key), cell: (r) => (key === "carrier" ? label("carrier", r.carrier) : r.sku) },
    { title: t("feedbacks"), num: true, cell: (r) => number(r.feedbacks, 0) },
    { title: t("average_rating"), num: true, cell: (r) => number(r.average_rating) },
    { title: t("top_tags"), cell: (r) => Object.entries(r.tags || {}).sort((a, b) => b[1] - a[1]).slice(0, 3).map(([tag, n]) => `${label("feedback_tag", tag)} ×${n}`).join(", ") || "—" },
  ], rows);
}

function feedbackSection(result) {
  const title = t("report_feedback");
  const problem = failed(result, title);
  if (problem) return card(title, problem);
  const skus = result.data.skus || [];
  const carriers = result.data.carriers || [];
  return h("section", { class: "card", "data-report": "feedback" }, h("h2", {}, title),
    skus.length || carriers.length ? [
      h("h3", {}, t("by_sku")), feedbackTable(skus, "sku"),
      h("h3", {}, t("by_carrier")), feedbackTable(carriers, "carrier"),
      result.data.basis ? h("p", { class: "hint" }, result.data.basis) : null,
    ] : h("p", { class: "empty" }, t("no_data")));
}

export async function render(ctx) {
  const { api, query } = ctx;
  // Without a chosen range the server picks its default period by its own clock (the local stack's can move).
  const range = Object.fromEntries(["from", "to"].filter((k) => query[k]).map((k) => [k, query[k]]));
  const picker = form({
    id: "reports-range",
    submit: t("show"),
    resetOnDone: false,
    inline: true,
    fields: [
      { name: "from", label: t("from"), type: "date", required: true },
      { name: "to", label: t("to"), type: "date", required: true },
    ],
    onSubmit: async (v) => go("/reports", v),
  });
  const [orders, returns, carriers, feedback] = await Promise.all([
    fetchReport(api, "/v1/admin/reports/orders", range),
    fetchReport(api, "/v1/admin/reports/returns", range),
    fetchReport(api, "/v1/admin/reports/carriers", range),
    fetchReport(api, "/v1/admin/reports/feedback", range),
  ]);
  const answered = orders.data || returns.data || carriers.data || {};
  const shown = { ...defaultRange(), ...range, ...Object.fromEntries(["from", "to"].filter((k) => answered[k]).map((k) => [k, answered[k]])) };
  picker.elements.namedItem("from").value = shown.from;
  picker.elements.namedItem("to").value = shown.to;
  const [ordersCard, exceptionsCard] = ordersSection(orders);
  const [returnsCard, slaCard] = returnsSection(returns);
  return h("div", {},
    h("div", { class: "page-head" }, h("h1", {}, t("reports_title")), h("span", { class: "muted" }, `${shown.from} → ${shown.to}`)),
    card(null, picker),
    ordersCard,
    h("div", { class: "grid-halves" }, h("div", {}, returnsCard), h("div", {}, slaCard, exceptionsCard)),
    carriersSection(carriers),
    feedbackSection(feedback));
}
