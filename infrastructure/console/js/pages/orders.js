// Find orders by status, channel, customer, product, date range or open exception.

import { go } from "../router.js";
import { label, t } from "../i18n.js";
import { banner, card, form, h, money, orderLink, problemText, status, table, unavailable, when } from "../ui.js";

const STATUSES = ["pending_payment", "awaiting_balance", "under_review", "awaiting_fulfillment", "partially_shipped", "shipped", "delivered", "completed", "cancelled", "on_hold"];
const CHANNELS = ["web", "app", "mini_program", "marketplace"];
const FILTERS = ["status", "channel", "customer_id", "sku", "from", "to", "exception"];
const PAGE = 50;

function columns() {
  return [
    { title: t("order"), cell: (o) => orderLink(o.id) },
    { title: t("status"), cell: (o) => status(o.status) },
    { title: t("customer"), cell: (o) => o.customer_id },
    { title: t("channel"), cell: (o) => label("channel", o.channel) },
    { title: t("total"), num: true, cell: (o) => money(o.total ?? (o.totals || {}).total, o.currency ?? (o.totals || {}).currency) },
    { title: t("created_at"), cell: (o) => when(o.created_at || o.placed_at) },
    { title: t("paid_at"), cell: (o) => when(o.paid_at) },
    { title: t("exception"), cell: (o) => (o.has_exception ? h("span", { class: "badge bad" }, t("yes")) : "") },
  ];
}

export async function render(ctx) {
  const { api, query } = ctx;
  const filters = form({
    id: "orders-filters",
    submit: t("search"),
    resetOnDone: false,
    fields: [
      { name: "status", label: t("status"), type: "select", options: [["", t("any")], ...STATUSES.map((s) => [s, label("status", s)])] },
      { name: "channel", label: t("channel"), type: "select", options: [["", t("any")], ...CHANNELS.map((c) => [c, label("channel", c)])] },
      { name: "customer_id", label: t("customer"), placeholder: "cus_…" },
      { name: "sku", label: t("sku") },
      { name: "from", label: t("from"), type: "date" },
      { name: "to", label: t("to"), type: "date" },
      { name: "exception", label: t("exception"), type: "select", options: [["", t("any")], ["true", t("with_open_exception")], ["false", t("without_exception")]] },
    ],
    onSubmit: async (v) => go("/orders", v),
  });
  for (const name of FILTERS) {
    if (query[name] !== undefined) filters.elements.namedItem(name).value = query[name];
  }
  const results = h("div", { "data-results": "" });
  const page = h("div", {},
    h("div", { class: "page-head" }, h("h1", {}, t("orders_title"))),
    card(t("filters"), filters),
    h("section", { class: "card" }, h("h2", {}, t("results")), results));

  const params = Object.fromEntries(FILTERS.filter((k) => query[k]).map((k) => [k, query[k]]));
  let rows = [];
  const more = h("button", { type: "button" }, t("load_more"));
  const draw = (cursor) => {
    results.replaceChildren(table(columns(), rows, { href: (o) => `#/orders/${encodeURIComponent(o.id)}`, empty: t("no_orders_found") }));
    if (cursor) {
      more.onclick = () => fetchPage(cursor);
      results.append(h("div", { class: "actions" }, more));
    }
  };
  const fetchPage = async (cursor) => {
    try {
      const answer = await api.get("/v1/admin/orders", { ...params, limit: PAGE, cursor });
      rows = rows.concat(answer.items || []);
      draw(answer.next_cursor);
    } catch (error) {
      if (error.missing) results.replaceChildren(unavailable(t("orders_title")));
      else if (error.problem && (error.problem.errors || []).length) {
        // A bad filter: show it by the field it names.
        results.replaceChildren(h("p", { class: "empty" }, t("fix_filters")));
        banner(problemText(error));
      } else throw error;
    }
  };
  await fetchPage(undefined);
  return page;
}
