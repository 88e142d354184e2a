// A product's stock: the shared pool and each channel's allocation, with the forms that change them.

import { go } from "../router.js";
import { label, t } from "../i18n.js";
import { banner, card, fieldProblem, form, h, number, table } from "../ui.js";

const CHANNELS = ["web", "app", "mini_program", "marketplace"];
const REASONS = ["received", "returned", "write_off", "damaged", "count_correction"];

function integer(text, field, { negative = false } = {}) {
  const cleaned = String(text).trim();
  if (!(negative ? /^-?\d+$/ : /^\d+$/).test(cleaned)) throw fieldProblem(field, t("whole_number"));
  return Number(cleaned);
}

function stockTiles(levels) {
  const stat = (name, value) => h("div", { class: "stat", "data-stat": name }, h("div", { class: "label" }, t(name)), h("div", { class: "value" }, number(value, 0)));
  return h("div", { class: "stats" }, stat("on_hand", levels.on_hand), stat("reserved", levels.reserved), stat("available", levels.available));
}

export async function render(ctx) {
  const { api, params } = ctx;
  const sku = params.sku || "";
  const lookupForm = form({
    id: "inventory-lookup",
    submit: t("show_stock"),
    resetOnDone: false,
    inline: true,
    fields: [{ name: "sku", label: t("sku"), required: true, placeholder: "TEA-250" }],
    onSubmit: async (v) => go(`/inventory/${encodeURIComponent(v.sku.trim())}`),
  });
  if (sku) lookupForm.elements.namedItem("sku").value = sku;
  const head = h("div", { class: "page-head" }, h("h1", {}, t("inventory_title")), sku ? h("span", { class: "mono muted" }, sku) : null);
  if (!sku) return h("div", {}, head, card(t("find_product"), lookupForm));

  const levels = await api.get(`/v1/admin/inventory/${encodeURIComponent(sku)}`);
  const base = `/v1/admin/inventory/${encodeURIComponent(sku)}`;
  const reload = (message) => async () => {
    await ctx.reload();
    banner(message, "success");
  };
  const channels = Object.entries(levels.channels || {}).map(([name, c]) => ({ name, ...c }));
  const adjust = form({
    id: `adjust-${sku}`,
    submit: t("apply_adjustment"),
    fields: [
      { name: "delta", label: t("delta"), type: "number", required: true, hint: t("delta_hint") },
      { name: "reason", label: t("reason"), type: "select", required: true, options: REASONS.map((r) => [r, label("adjustment", r)]) },
      { name: "channel", label: t("channel"), type: "select", options: [["", t("shared_pool")], ...CHANNELS.map((c) => [c, label("channel", c)])] },
    ],
    onSubmit: (v) => {
      const body = { delta: integer(v.delta, "delta", { negative: true }), reason: v.reason };
      if (v.channel) body.channel = v.channel;
      return api.post(`${base}/adjustments`, body);
    },
    onDone: reload(t("adjustment_saved")),
  });
  const allocate = form({
    id: `allocate-${sku}`,
    submit: t("save_allocation"),
    fields: [
      { name: "channel", label: t("channel"), type: "select", required: true, options: CHANNELS.map((c) => [c, label("channel", c)]) },
      { name: "allocation", label: t("allocation"), type: "number", min: 0, required: true, hint: t("allocation_hint") },
      { name: "safety_stock", label: t("safety_stock"), type: "number", min: 0 },
    ],
    onSubmit: (v) => {
      const body = { allocation: integer(v.allocation, "allocation") };
      if (String(v.safety_stock).trim()) body.safety_stock = integer(v.safety_stock, "safety_stock");
      return api.put(`${base}/channels/${encodeURIComponent(v.channel)}`, body);
    },
    onDone: reload(t("allocation_saved")),
  });
  return h("div", { "data-inventory": sku },
    head,
    h("div", { class: "grid-2" },
      h("div", {},
        card(t("find_product"), lookupForm),
        card(t("stock_pool"), stockTiles(levels)),
        card(t("stock_by_channel"), table([
          { title: t("channel"), cell: (c) => label("channel", c.name) },
          { title: t("allocation"), num: true, cell: (c) => number(c.allocation, 0) },
          { title: t("safety_stock"), num: true, cell: (c) => number(c.safety_stock, 0) },
          { title: t("reserved"), num: true, cell: (c) => number(c.reserved, 0) },
          { title: t("available"), num: true, cell: (c) => number(c.available, 0) },
        ], channels, { empty: t("no_channel_allocations") }))),
      h("div", {}, card(t("adjust_stock"), adjust), card(t("channel_allocation"), allocate))));
}
