// One order: what was bought, the money, where it is, and what staff may do in its current status.

import { label, t } from "../i18n.js";
import {
  banner, card, confirmButton, fieldProblem, form, h, kv, money, returnLink, status, table, toMinor, when,
} from "../ui.js";

const CARRIERS = ["sf", "jd", "ems", "yto", "zto", "sto", "yunda"];
const CANCELLABLE = new Set(["pending_payment", "awaiting_balance", "under_review", "awaiting_fulfillment", "on_hold"]);
const SHIPPABLE = new Set(["awaiting_fulfillment", "partially_shipped"]);
const EDITABLE = new Set(["pending_payment", "awaiting_fulfillment"]);
const EXCEPTION_KINDS = ["payment_failed", "address_incomplete", "refused", "wrong_item", "missing_item", "damaged", "lost", "delayed"];
const RESOLUTIONS = ["reship", "refund", "partial_refund", "compensation", "contact_customer"];

function itemsCard(order) {
  const cur = order.currency;
  return card(t("items"), table([
    { title: t("sku"), cell: (i) => h("a", { href: `#/inventory/${encodeURIComponent(i.sku)}`, class: "mono" }, i.sku) },
    { title: t("product"), cell: (i) => [i.name || "", (i.flags || []).map((f) => [" ", h("span", { class: "badge" }, label("flag", f))])] },
    { title: t("quantity"), num: true, cell: (i) => String(i.quantity) },
    { title: t("unit_price"), num: true, cell: (i) => money(i.unit_price, cur) },
    { title: t("discount"), num: true, cell: (i) => (i.discount ? `−${money(i.discount, cur)}` : "—") },
    { title: t("line_total"), num: true, cell: (i) => money(i.line_total, cur) },
    { title: t("shipped"), num: true, cell: (i) => String(i.shipped ?? 0) },
    { title: t("returned"), num: true, cell: (i) => `${i.return_refunded ?? 0} / ${i.return_requested ?? 0}` },
  ], order.items || []));
}

function moneyCard(order) {
  const cur = order.currency;
  const totals = order.totals || {};
  return card(t("money"),
    kv([
      [t("subtotal"), money(totals.subtotal, cur)],
      totals.discount ? [t("discount"), `−${money(totals.discount, cur)}`] : null,
      [t("shipping_fee"), money(totals.shipping_fee, cur)],
      [t("total"), money(totals.total, cur), "total"],
      [t("captured"), money(order.captured ?? 0, cur)],
      [t("refunded"), money(order.refunded ?? 0, cur)],
      order.refundable !== undefined ? [t("refundable"), money(order.refundable, cur)] : null,
      [t("payment_method"), label("payment", order.payment_method)],
      [t("paid_at"), when(order.paid_at)],
    ]),
    order.payment_plan ? presalePlan(order) : null,
    (order.refunds || []).length ? [h("h3", {}, t("refunds")), table([
      { title: t("refund"), cell: (r) => h("span", { class: "mono" }, r.id) },
      { title: t("why"), cell: (r) => label("refund_reason", r.reason) },
      { title: t("amount"), num: true, cell: (r) => money(r.amount, r.currency || cur) },
      { title: t("status"), cell: (r) => status(r.status) },
    ], order.refunds)] : null);
}

function presalePlan(order) {
  const plan = order.payment_plan;
  const cur = order.currency;
  return [h("h3", {}, t("presale_plan")), h("div", { class: "subcard", "data-payment-plan": "" }, kv([
    [t("deposit"), `${money(plan.deposit, cur)} · ${order.deposit_paid_at ? when(order.deposit_paid_at) : "—"}`],
    [t("balance"), money(plan.balance, cur)],
    [t("balance_window"), `${when(plan.balance_opens_at)} – ${when(plan.balance_closes_at)}`],
    [t("deposit_terms"), plan.deposit_refunded_if_balance_unpaid ? t("deposit_terms_refunded") : t("deposit_terms_kept")],
    order.deposit_kept ? [t("deposit_kept"), money(order.deposit_kept, cur)] : null,
  ]))];
}

function shipmentsCard(order) {
  const shipments = order.shipments || [];
  return card(t("shipments"), shipments.length ? shipments.map((s) => h("div", { class: "shipment", "data-shipment": s.id },
    h("div", { class: "shipment-head" },
      h("span", { class: "badge" }, label("shipment_kind", s.kind || "outbound")),
      h("strong", {}, `${label("carrier", s.carrier)} · `, h("span", { class: "mono" }, s.tracking_number)),
      status(s.status),
      s.return_id ? returnLink(s.return_id) : null),
    kv([
      [t("shipped_at"), when(s.shipped_at)],
      s.promised_by ? [t("promised_by"), when(s.promised_by)] : null,
      s.delivered_at ? [t("delivered_at"), when(s.delivered_at)] : null,
      [t("contents"), (s.items || []).map((i) => `${i.sku} × ${i.quantity}`).join(", ")],
    ]),
    (s.history || []).length ? [h("h3", {}, t("tracking")), table([
      { title: t("when"), cell: (e) => when(e.occurred_at) },
      { title: t("status"), cell: (e) => label("tracking", e.status) },
      { title: t("where"), cell: (e) => [e.location || "", e.description ? h("div", { class: "muted" }, e.description) : null] },
    ], [...s.history].sort((a, b) => String(b.occurred_at).localeCompare(String(a.occurred_at))))] : null))
    : h("p", { class: "empty" }, t("no_shipments")));
}

function returnIds(order) {
  const ids = new Set();
  for (const e of order.timeline || []) if (e.return_id) ids.add(e.return_id);
  for (const s of order.shipments || []) if (s.return_id) ids.add(s.return_id);
  for (const r of order.returns || []) ids.add(typeof r === "string" ? r : r.id);
  return [...ids];
}

async function returnsCard(api, order) {
  const ids = returnIds(order);
  if (!ids.length) return card(t("returns"), h("p", { class: "empty" }, t("no_returns")));
  const found = await Promise.all(ids.map((id) => api.get(`/v1/admin/returns/${encodeURIComponent(id)}`).catch(() => ({ id }))));
  return card(t("returns"), table([
    { title: t("return"), cell: (r) => returnLink(r.id) },
    { title: t("reason"), cell: (r) => (r.reason ? label("reason", r.reason) : "—") },
    { title: t("items"), cell: (r) => (r.items || []).map((i) => `${i.sku} × ${i.quantity}`).join(", ") },
    { title: t("status"), cell: (r) => (r.status ? status(r.status) : "—") },
    { title: t("refund"), num: true, cell: (r) => (r.refund ? money(r.refund.amount, order.currency) : "—") },
  ], found, { href: (r) => `#/returns/${encodeURIComponent(r.id)}` }));
}

export function timelineList(entries) {
  const skip = new Set(["at", "type", "by", "status"]);
  return h("ol", { class: "timeline" }, [...(entries || [])].reverse().map((e) => {
    const details = Object.entries(e).filter(([k, v]) => !skip.has(k) && v !== null && v !== "" && typeof v !== "object")
      .map(([k, v]) => `${label("field", k)}: ${v}`).join(" · ");
    return h("li", {},
      h("div", { class: "what" }, label("event", e.type), e.status ? [" → ", status(e.status)] : null),
      h("div", { class: "when" }, when(e.at), e.by ? ` · ${e.by}` : ""),
      details ? h("div", { class: "detail" }, details) : null);
  }));
}

function detailsCard(order) {
  const a = order.shipping_address || {};
  const notes = Array.isArray(order.notes) ? order.notes : order.notes ? [order.notes] : [];
  return card(t("details"),
    kv([
      [t("customer"), order.customer_id],
      [t("channel"), label("channel", order.channel)],
      [t("placed_at"), when(order.placed_at)],
      [t("ship_by"), when(order.estimated_ship_by)],
      [t("deliver_by"), when(order.estimated_delivery_by)],
      (order.review_reasons || []).length ? [t("review_reasons"), order.review_reasons.map((r) => label("review_reason", r)).join(", ")] : null,
      [t("address"), [a.recipient, a.phone, [a.line1, a.line2, a.city, a.region, a.postal_code, a.country].filter(Boolean).join(", ")].filter(Boolean).join(" · ")],
    ]),
    h("h3", {}, t("notes")),
    notes.length ? h("ul", {}, notes.map((n) => h("li", {}, typeof n === "string" ? n : `${n.body || n.text || ""} — ${n.by || ""} ${when(n.at)}`)))
      : h("p", { class: "empty" }, t("no_notes")));
}

function feedbackCard(order) {
  const f = order.feedback;
  if (!f) return order.status === "completed" ? card(t("feedback"), h("p", { class: "empty" }, t("no_feedback"))) : null;
  return h("section", { class: "card", "data-feedback": f.rating }, h("h2", {}, t("feedback")),
    kv([
      [t("rating"), `${"★".repeat(f.rating)}${"☆".repeat(5 - f.rating)} (${f.rating}/5)`],
      (f.tags || []).length ? [t("feedback_tags"), f.tags.map((tag) => label("feedback_tag", tag)).join(", ")] : null,
      f.comment ? [t("comment"), f.comment] : null,
      [t("given_at"), when(f.given_at)],
      [t("editable_until"), when(f.editable_until)],
    ]));
}

/** "SKU quantity" per line, the basket an edit leaves (a line left out is removed). */
function parseBasket(text) {
  const lines = [];
  for (const raw of text.split(/[\n,]+/)) {
    const line = raw.trim();
    if (!line) continue;
    const found = line.match(/^(\S+)\s*[×x*\s]\s*(\d+)$/);
    if (!found) throw fieldProblem("lines", t("edit_lines_format"));
    lines.push({ sku: found[1], quantity: Number(found[2]) });
  }
  if (!lines.length) throw fieldProblem("lines", t("required"));
  return lines;
}

function editPreview(ctx, order, lines, shown) {
  const cur = order.currency;
  const money_ = shown.refund
    ? [t("edit_refund"), money(shown.refund, cur)]
    : shown.balance ? [t("edit_balance"), `${money(shown.balance, cur)} · ${t("due")} ${when(shown.balance_due_at)}`] : null;
  return h("div", { class: "subcard", "data-edit-preview": shown.settlement },
    kv([
      [t("total"), `${money(shown.previous_total, cur)} → ${money(shown.totals.total, cur)}`],
      [t("edit_difference"), money(shown.difference, cur)],
      [t("coupon"), label("edit_coupon", shown.coupon)],
      money_,
    ]),
    h("div", { class: "actions" }, confirmButton(t("apply_edit"), t("confirm_edit"), async () => {
      await ctx.api.post(`/v1/admin/orders/${encodeURIComponent(order.id)}/edits`, { lines, expected_total: shown.totals.total });
      await ctx.reload();
      banner(t("edit_saved"), "success");
    })));
}

function editForm(ctx, order) {
  const box = h("div", { "data-edit-result": "" });
  let lines = [];
  const edit = form({
    id: `edit-${order.id}`,
    submit: t("preview_edit"),
    tone: "secondary",
    resetOnDone: false,
    fields: [{ name: "lines", label: t("edit_lines"), type: "textarea", required: true, wide: true, hint: t("edit_lines_hint") }],
    onSubmit: (v) => {
      lines = parseBasket(v.lines);
      return ctx.api.post(`/v1/admin/orders/${encodeURIComponent(order.id)}/edits/preview`, { lines });
    },
    onDone: (shown) => box.replaceChildren(editPreview(ctx, order, lines, shown)),
  });
  edit.elements.namedItem("lines").value = (order.items || []).map((i) => `${i.sku} ${i.quantity}`).join("\n");
  return [edit, box];
}

function editsCard(order) {
  const cur = order.currency;
  const pending = order.pending_edit;
  const edits = order.edits || [];
  if (!pending && !edits.length) return null;
  return h("section", { class: "card", "data-card": "edits" }, h("h2", {}, t("edits")),
    pending ? h("div", { class: "banner warn", "data-pending-edit": pending.id },
      t("edit_waiting", { balance: money(pending.balance, cur), due: when(pending.due_at) })) : null,
    table([
      { title: t("when"), cell: (e) => when(e.at) },
      { title: t("by"), cell: (e) => e.by },
      { title: t("status"), cell: (e) => label("edit_state", e.state) },
      { title: t("total"), num: true, cell: (e) => `${money(e.previous_total, cur)} → ${money(e.total, cur)}` },
      { title: t("edit_difference"), num: true, cell: (e) => money(e.difference, cur) },
    ], edits));
}

function actionsCard(ctx, order) {
  const { api } = ctx;
  const base = `/v1/admin/orders/${encodeURIComponent(order.id)}`;
  const parts = [];
  const done = (message) => async () => {
    await ctx.reload();
    banner(message, "success");
  };
  if (order.status === "under_review") {
    parts.push(h("h3", {}, t("review_order")), form({
      id: `review-${order.id}`,
      submit: t("submit_review"),
      fields: [
        { name: "decision", label: t("decision"), type: "radios", required: true, options: [["approve", t("approve")], ["reject", t("reject")]] },
        { name: "reason", label: t("reason"), required: true, wide: true, placeholder: t("review_reason_placeholder") },
      ],
      onSubmit: (v) => api.post(`${base}/review`, { decision: v.decision, reason: v.reason.trim() }),
      onDone: done(t("review_saved")),
    }));
  }
  if (SHIPPABLE.has(order.status)) {
    parts.push(h("h3", {}, t("ship_order")), h("datalist", { id: "carriers" }, CARRIERS.map((c) => h("option", { value: c }, label("carrier", c)))), form({
      id: `ship-${order.id}`,
      submit: t("ship"),
      fields: [
        { name: "carrier", label: t("carrier"), required: true, list: "carriers", placeholder: "sf" },
        { name: "tracking_number", label: t("tracking_number"), required: true, placeholder: "SF1234567890" },
      ],
      onSubmit: (v) => api.post(`${base}/shipments`, { carrier: v.carrier.trim(), tracking_number: v.tracking_number.trim() }),
      onDone: done(t("shipped_saved")),
    }));
  }
  if (EDITABLE.has(order.status) && !order.pending_edit) {
    parts.push(h("h3", {}, t("edit_order")), h("p", { class: "hint" }, t("edit_hint")), editForm(ctx, order));
  }
  if (CANCELLABLE.has(order.status)) {
    parts.push(h("h3", {}, t("cancel_order")), h("p", { class: "hint" }, t("cancel_hint")),
      confirmButton(t("cancel_order"), t("confirm_cancel"), async () => {
        await api.post(`${base}/cancel`);
        await done(t("cancelled_saved"))();
      }));
  }
  if (!parts.length) parts.push(h("p", { class: "empty" }, t("no_actions", { status: label("status", order.status) })));
  return h("section", { class: "card", "data-card": "actions" }, h("h2", {}, t("actions")), parts);
}

function resolveForm(ctx, order, exception) {
  const base = `/v1/admin/orders/${encodeURIComponent(order.id)}/exceptions/${encodeURIComponent(exception.id)}/resolve`;
  const amountActions = new Set(["refund", "partial_refund", "compensation"]);
  return form({
    id: `resolve-${exception.id}`,
    submit: t("resolve"),
    fields: [
      { name: "action", label: t("resolution"), type: "select", required: true, options: RESOLUTIONS.map((r) => [r, label("resolution", r)]) },
      { name: "amount", label: t("amount_in", { currency: order.currency }), type: "money", placeholder: "0.00", showIf: (v) => amountActions.has(v.action) },
      { name: "carrier", label: t("carrier"), list: "carriers", showIf: (v) => v.action === "reship" },
      { name: "tracking_number", label: t("tracking_number"), showIf: (v) => v.action === "reship" },
      { name: "note", label: t("note"), wide: true },
    ],
    onSubmit: (v) => {
      const body = { action: v.action };
      if (amountActions.has(v.action) && v.amount.trim()) {
        const minor = toMinor(v.amount, order.currency);
        if (Number.isNaN(minor)) throw fieldProblem("amount", t("not_an_amount"));
        body.amount = minor;
      }
      if (v.action === "reship") {
        Object.assign(body, { carrier: v.carrier.trim(), tracking_number: v.tracking_number.trim(), items: (order.items || []).map((i) => ({ sku: i.sku, quantity: i.quantity })) });
      }
      if (v.note.trim()) body.note = v.note.trim();
      return ctx.api.post(base, body);
    },
    onDone: async () => {
      await ctx.reload();
      banner(t("exception_resolved"), "success");
    },
  });
}

/** The order's entry names the action; the exception's own record has the amount too. */
function resolutionText(resolution, currency) {
  if (typeof resolution === "string") return label("resolution", resolution);
  const amount = resolution.amount ? ` ${money(resolution.amount, currency)}` : "";
  return `${label("resolution", resolution.action)}${amount}`;
}

function exceptionsCard(ctx, order) {
  const list = order.exceptions || [];
  const record = form({
    id: `exception-${order.id}`,
    submit: t("record_exception"),
    fields: [
      { name: "kind", label: t("exception_kind"), type: "select", required: true, options: EXCEPTION_KINDS.map((k) => [k, label("exception", k)]) },
      { name: "owner", label: t("owner"), placeholder: "unassigned" },
      { name: "note", label: t("note"), wide: true },
    ],
    onSubmit: (v) => {
      const body = { kind: v.kind };
      if (v.owner.trim()) body.owner = v.owner.trim();
      if (v.note.trim()) body.note = v.note.trim();
      return ctx.api.post(`/v1/admin/orders/${encodeURIComponent(order.id)}/exceptions`, body);
    },
    onDone: async () => {
      await ctx.reload();
      banner(t("exception_recorded"), "success");
    },
  });
  return h("section", { class: "card", "data-card": "exceptions" },
    h("h2", {}, t("exceptions")),
    list.length ? list.map((e) => h("div", { class: "subcard", "data-exception": e.id },
      h("div", { class: "shipment-head" }, h("span", { class: "badge bad" }, label("exception", e.kind)), status(e.status), h("span", { class: "muted mono" }, e.id)),
      kv([
        [t("owner"), e.owner || "—"],
        [t("deadline"), when(e.deadline)],
        e.note ? [t("note"), e.note] : null,
        e.resolution ? [t("resolution"), resolutionText(e.resolution, order.currency)] : null,
        e.resolved_at ? [t("resolved_at"), when(e.resolved_at)] : null,
      ]),
      e.status === "open" ? resolveForm(ctx, order, e) : null))
      : h("p", { class: "empty" }, t("no_exceptions")),
    h("h3", {}, t("record_exception")), record);
}

export async function render(ctx) {
  const { api, params } = ctx;
  const order = await api.get(`/v1/admin/orders/${encodeURIComponent(params.id)}`);
  const returns = await returnsCard(api, order);
  return h("div", { "data-order": order.id, "data-order-status": order.status },
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, t("nav_queues")), " / ", h("a", { href: "#/orders" }, t("nav_orders"))),
    h("div", { class: "page-head" },
      h("h1", {}, t("order"), " ", h("span", { class: "mono" }, order.id)),
      status(order.status),
      h("span", { class: "muted" }, `${label("channel", order.channel)} · ${order.customer_id} · ${when(order.placed_at)}`),
      h("span", { class: "spacer" }),
      h("strong", {}, money((order.totals || {}).total, order.currency))),
    h("div", { class: "grid-2" },
      h("div", {}, itemsCard(order), editsCard(order), shipmentsCard(order), returns, card(t("timeline"), timelineList(order.timeline))),
      h("div", {}, actionsCard(ctx, order), moneyCard(order), exceptionsCard(ctx, order), feedbackCard(order), detailsCard(order))));
}
