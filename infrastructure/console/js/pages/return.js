// One return: the request and its evidence, what the policy says, the decision, the parcel, the
// inspection, the refund and the conversation with the buyer.

import { label, t } from "../i18n.js";
import { banner, card, fieldProblem, form, h, kv, money, orderLink, status, table, toMinor, when } from "../ui.js";
import { timelineList } from "./order.js";

const CONDITIONS = ["resellable", "damaged", "not_original", "missing"];
const ALTERNATIVES = ["exchange", "repair", "partial_refund"];
const DECIDABLE = new Set(["requested", "under_review"]);
const INSPECTABLE = new Set(["received"]);

function currencyOf(ret, order) {
  return (order && order.currency) || ret.currency || "CNY";
}

function requestCard(ret, cur) {
  return h("section", { class: "card", "data-card": "request" }, h("h2", {}, t("request")),
    table([
      { title: t("sku"), cell: (i) => h("span", { class: "mono" }, i.sku) },
      { title: t("product"), cell: (i) => i.name || "" },
      { title: t("quantity"), num: true, cell: (i) => String(i.quantity) },
      { title: t("unit_price"), num: true, cell: (i) => money(i.unit_price, cur) },
    ], ret.items || []),
    h("div", { class: "subcard" }, kv([
      [t("after_sales_type"), label("after_sales_type", ret.type)],
      [t("reason"), label("reason", ret.reason)],
      [t("description"), ret.description || "—"],
      [t("refund_method"), label("refund_method", ret.refund_method)],
      ret.type !== "refund_only" ? [t("return_shipping_paid_by"), label("payer", ret.shipping_payer)] : null,
      [t("requested_at"), when(ret.requested_at)],
      ret.review_due_at ? [t("review_by"), when(ret.review_due_at)] : null,
    ])));
}

/** Refund only: where the goods were, the carrier's interception, and what was settled. */
function refundOnlyCard(ret, cur) {
  if (ret.type !== "refund_only") return null;
  const i = ret.interception;
  const s = ret.settlement;
  return h("section", { class: "card", "data-card": "refund-only", "data-route": ret.route },
    h("h2", {}, label("after_sales_type", "refund_only")),
    kv([
      [t("route"), label("refund_route", ret.route)],
      ret.requested_amount !== undefined ? [t("requested_amount"), money(ret.requested_amount, cur)] : null,
    ]),
    i ? [h("h3", {}, t("interception")), h("div", { class: "subcard", "data-interception": i.status }, kv([
      [t("status"), label("interception", i.status)],
      i.refused ? [t("reason"), Object.values(i.refused).join("; ")] : null,
      [t("requested_at"), when(i.at)],
      i.failed_at ? [t("failed_at"), when(i.failed_at)] : null,
    ]))] : null,
    s ? [h("h3", {}, t("settlement")), h("div", { class: "subcard" }, kv([
      [t("amount"), money(s.amount, cur)],
      [t("restocked"), s.restocked ? t("yes") : t("no")],
      [t("note"), s.note],
      [t("decided_by"), s.by],
    ]))] : null);
}

/** Exchange: what the buyer wants instead, the difference either way, and the replacement order. */
function exchangeCard(ret, cur) {
  const x = ret.exchange;
  if (!x) return null;
  const diff = Number(x.difference || 0);
  return h("section", { class: "card", "data-card": "exchange", "data-exchange-state": x.state || "" },
    h("h2", {}, label("after_sales_type", "exchange")),
    table([
      { title: t("sku"), cell: (l) => h("span", { class: "mono" }, l.sku) },
      { title: t("replacement"), cell: (l) => h("span", {}, h("span", { class: "mono" }, l.replacement_sku), l.replacement_name ? ` ${l.replacement_name}` : "") },
      { title: t("quantity"), num: true, cell: (l) => String(l.quantity) },
      { title: t("unit_price"), num: true, cell: (l) => money(l.unit_price, cur) },
      { title: t("credit"), num: true, cell: (l) => money(l.credit, cur) },
    ], x.lines || []),
    h("div", { class: "subcard" }, kv([
      [t("status"), label("exchange_state", x.state)],
      [diff > 0 ? t("difference_owed") : diff < 0 ? t("difference_refunded") : t("difference"), h("strong", { "data-difference": String(diff) }, money(Math.abs(diff), cur))],
      x.replacement_order_id ? [t("replacement_order"), orderLink(x.replacement_order_id)] : null,
      x.ships ? [t("ships"), label("exchange_ships", x.ships)] : null,
      x.payment_due_at ? [t("pay_by"), when(x.payment_due_at)] : null,
      x.released_at ? [t("released_at"), when(x.released_at)] : null,
    ])));
}

function evidenceCard(ret) {
  const urls = ret.evidence || [];
  return h("section", { class: "card", "data-card": "evidence" }, h("h2", {}, t("evidence")), urls.length ? h("div", { class: "evidence" }, urls.map((url) => {
    const img = h("img", { src: url, alt: t("evidence_image"), referrerpolicy: "no-referrer" });
    img.addEventListener("error", () => img.replaceWith(h("span", { class: "missing" }, t("image_not_loaded"))));
    return h("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, img, h("span", {}, url));
  })) : h("p", { class: "empty" }, t("no_evidence")));
}

/** What the rules said and why, from the published policy and the return's own record; then the person's decision. */
function verdictCard(ret, policy) {
  const rule = policy && (policy.reasons || []).find((r) => r.reason === ret.reason);
  const decision = ret.decision;
  const byRules = decision && String(decision.by || "").startsWith("system");
  const heldByRules = (ret.timeline || []).some((e) => e.type === "hold_for_review" && String(e.by || "").startsWith("system"));
  const blocks = [];
  if (byRules) {
    blocks.push(h("div", { class: "verdict" }, h("strong", {}, t("verdict_rules_approved")), h("div", {}, decision.reason)));
  } else if (heldByRules || ret.status === "under_review") {
    let why = t("why_rules_undecided");
    if (rule && rule.evidence_required && !(ret.evidence || []).length) why = t("why_no_evidence");
    else if (rule && !rule.merchant_fault) why = t("why_preference");
    blocks.push(h("div", { class: "verdict manual" }, h("strong", {}, t("verdict_needs_person")), h("div", {}, why)));
  } else {
    blocks.push(h("div", { class: "verdict manual" }, h("strong", {}, t("verdict_pending"))));
  }
  if (decision && !byRules) {
    const alternative = decision.alternative
      ? `${t("alternative")}: ${label("alternative", decision.alternative)}${decision.partial_refund_amount ? ` ${money(decision.partial_refund_amount, ret.currency || "CNY")}` : ""}`
      : null;
    blocks.push(h("div", { class: `verdict${decision.decision === "reject" ? " manual" : ""}`, "data-decision": decision.decision },
      h("strong", {}, t("verdict_staff", { decision: label("decision", decision.decision), by: decision.by })),
      h("div", {}, decision.reason), alternative ? h("div", {}, alternative) : null,
      h("div", { class: "hint" }, when(decision.at))));
  }
  return h("section", { class: "card", "data-card": "verdict" },
    h("h2", {}, t("policy_verdict")),
    h("div", { class: "verdicts" }, blocks),
    rule ? h("div", { class: "subcard" }, kv([
      [t("merchant_fault"), rule.merchant_fault ? t("yes") : t("no")],
      [t("evidence_required"), rule.evidence_required ? t("yes") : t("no")],
      [t("return_shipping_paid_by"), label("payer", rule.shipping_payer)],
      policy.no_reason_window_days !== undefined ? [t("windows"), t("windows_text", { no_reason: policy.no_reason_window_days, quality: policy.quality_window_days })] : null,
    ])) : null);
}

function parcelCard(ret) {
  const p = ret.parcel;
  const i = ret.instructions;
  return card(t("parcel"),
    p ? kv([
      [t("carrier"), label("carrier", p.carrier)],
      [t("tracking_number"), h("span", { class: "mono" }, p.tracking_number)],
      [t("shipped_at"), when(p.at)],
      [t("received_at"), when(ret.received_at)],
    ]) : h("p", { class: "empty" }, t("no_parcel")),
    i ? [h("h3", {}, t("instructions")), kv([
      [t("return_address"), i.return_address],
      [t("ship_within"), t("n_days", { n: i.ship_within_days })],
      [t("insurance_advised"), i.insurance_advised ? t("yes") : t("no")],
    ])] : null);
}

function inspectionAndRefundCard(ret, order, cur) {
  const ins = ret.inspection;
  const instant = ret.instant_refund;
  const refunds = ((order && order.refunds) || [])
    .filter((r) => r.return_id === ret.id || (instant && r.id === instant.refund_id));
  return h("section", { class: "card", "data-card": "refund" }, h("h2", {}, t("inspection_and_refund")),
    ins ? [table([
      { title: t("sku"), cell: (l) => h("span", { class: "mono" }, l.sku) },
      { title: t("received"), num: true, cell: (l) => String(l.quantity_received) },
      { title: t("condition"), cell: (l) => label("condition", l.condition) },
    ], ins.items || []), h("div", { class: "subcard" }, kv([
      [t("inspected_by"), `${ins.by || "—"} · ${when(ins.at)}`],
      ins.notes ? [t("notes"), ins.notes] : null,
      (ins.disputed || []).length ? [t("disputed"), ins.disputed.map((d) => `${d.sku} × ${d.quantity} (${label("condition", d.condition)})`).join(", ")] : null,
      ins.refund_amount !== undefined ? [t("refund_due"), money(ins.refund_amount, cur)] : null,
    ]))] : h("p", { class: "empty" }, t("not_inspected")),
    instant ? [h("h3", {}, t("instant_refund")), h("div", { class: "subcard", "data-instant-refund": instant.status }, kv([
      [t("status"), label("instant", instant.status)],
      instant.amount !== undefined ? [t("amount"), money(instant.amount, cur)] : null,
      instant.reason ? [t("reason"), label("instant_reason", instant.reason)] : null,
      [t("decided_at"), when(instant.at)],
    ]))] : null,
    h("h3", {}, t("refund")),
    ret.refund || refunds.length ? kv([
      [t("amount"), h("strong", { "data-refund-amount": ret.refund ? ret.refund.amount : "" }, money(ret.refund ? ret.refund.amount : refunds[0].amount, cur))],
      [t("status"), refunds.length ? status(refunds[0].status) : status(ret.status)],
      [t("refund"), h("span", { class: "mono" }, (ret.refund && ret.refund.refund_id) || refunds[0].id)],
      ret.refunded_at ? [t("refunded_at"), when(ret.refunded_at)] : null,
    ]) : h("p", { class: "empty" }, t("no_refund_yet")),
    ret.outcome ? [h("h3", {}, t("outcome")), kv(Object.entries(ret.outcome).filter(([, v]) => typeof v !== "object").map(([k, v]) => [label("field", k), outcomeValue(k, v, cur)]))] : null);
}

const MONEY_FIELDS = new Set(["refund", "owed", "shortfall", "amount"]);

function outcomeValue(key, value, cur) {
  if (typeof value === "boolean") return value ? t("yes") : t("no");
  return MONEY_FIELDS.has(key) && typeof value === "number" ? money(value, cur) : String(value);
}

function decisionForm(ctx, ret, cur) {
  return form({
    id: `decide-${ret.id}`,
    submit: t("submit_decision"),
    fields: [
      { name: "decision", label: t("decision"), type: "radios", required: true, options: [["approve", t("approve")], ["reject", t("reject")]] },
      { name: "reason", label: t("reason"), required: true, wide: true, placeholder: t("decision_reason_placeholder") },
      { name: "alternative", label: t("offer_alternative"), type: "select", options: [["", t("none")], ...ALTERNATIVES.map((a) => [a, label("alternative", a)])], showIf: (v) => v.decision === "reject" },
      { name: "partial_refund_amount", label: t("amount_in", { currency: cur }), type: "money", placeholder: "0.00", showIf: (v) => v.decision === "reject" && v.alternative === "partial_refund" },
    ],
    onSubmit: (v) => {
      const body = { decision: v.decision, reason: v.reason.trim() };
      if (v.decision === "reject" && v.alternative) body.alternative = v.alternative;
      if (body.alternative === "partial_refund") {
        const minor = toMinor(v.partial_refund_amount, cur);
        if (v.partial_refund_amount.trim() && Number.isNaN(minor)) throw fieldProblem("partial_refund_amount", t("not_an_amount"));
        if (v.partial_refund_amount.trim()) body.partial_refund_amount = minor;
      }
      return ctx.api.post(`/v1/admin/returns/${encodeURIComponent(ret.id)}/review`, body);
    },
    onDone: async () => {
      await ctx.reload();
      banner(t("decision_saved"), "success");
    },
  });
}

function inspectionForm(ctx, ret) {
  const items = ret.items || [];
  const fields = items.flatMap((item, i) => [
    { name: `items.${i}.quantity_received`, label: t("received_of", { sku: item.sku, n: item.quantity }), type: "number", min: 0, required: true },
    { name: `items.${i}.condition`, label: t("condition_of", { sku: item.sku }), type: "select", required: true, options: CONDITIONS.map((c) => [c, label("condition", c)]) },
  ]);
  fields.push({ name: "notes", label: t("notes"), type: "textarea", wide: true });
  const built = form({
    id: `inspect-${ret.id}`,
    submit: t("record_inspection"),
    fields,
    onSubmit: (v) => {
      const lines = items.map((item, i) => {
        const text = String(v[`items.${i}.quantity_received`]).trim();
        if (!/^\d+$/.test(text)) throw fieldProblem(`items.${i}.quantity_received`, t("whole_number"));
        return { sku: item.sku, quantity_received: Number(text), condition: v[`items.${i}.condition`] };
      });
      const body = { items: lines };
      if (v.notes.trim()) body.notes = v.notes.trim();
      return ctx.api.post(`/v1/admin/returns/${encodeURIComponent(ret.id)}/inspection`, body);
    },
    onDone: async () => {
      await ctx.reload();
      banner(t("inspection_saved"), "success");
    },
  });
  // What was asked for is the likely answer: prefill quantities unless a draft says otherwise.
  items.forEach((item, i) => {
    const input = built.elements.namedItem(`items.${i}.quantity_received`);
    if (!input.value) input.value = String(item.quantity);
  });
  return built;
}

function messagesCard(ctx, ret) {
  const thread = ret.messages || [];
  return h("section", { class: "card", "data-card": "messages" }, h("h2", {}, t("messages")),
    thread.length ? h("div", { class: "thread" }, thread.map((m) => h("div", { class: `msg ${m.role}` },
      h("div", { class: "meta" }, `${label("role", m.role)} · ${m.by} · ${when(m.at)}`),
      h("div", {}, m.body),
      (m.attachments || []).map((a) => h("div", {}, h("a", { href: a, target: "_blank", rel: "noopener noreferrer" }, a))))))
      : h("p", { class: "empty" }, t("no_messages")),
    form({
      id: `reply-${ret.id}`,
      submit: t("send_reply"),
      fields: [{ name: "body", label: t("reply"), type: "textarea", required: true, wide: true, hint: t("ctrl_enter") }],
      onSubmit: (v) => ctx.api.post(`/v1/admin/returns/${encodeURIComponent(ret.id)}/messages`, { body: v.body.trim() }),
      onDone: async () => {
        await ctx.reload();
        banner(t("reply_sent"), "success");
      },
    }));
}

export async function render(ctx) {
  const { api, params } = ctx;
  const ret = await api.get(`/v1/admin/returns/${encodeURIComponent(params.id)}`);
  const [order, policy] = await Promise.all([
    api.get(`/v1/admin/orders/${encodeURIComponent(ret.order_id)}`).catch(() => null),
    api.get("/v1/return-policy").catch(() => null),
  ]);
  const cur = currencyOf(ret, order);
  const actions = [];
  if (DECIDABLE.has(ret.status)) actions.push(h("h3", {}, t("decide_return")), decisionForm(ctx, ret, cur));
  if (INSPECTABLE.has(ret.status)) actions.push(h("h3", {}, t("inspect_parcel")), inspectionForm(ctx, ret));
  if (!actions.length) actions.push(h("p", { class: "empty" }, t("no_actions", { status: label("return_status", ret.status) })));
  return h("div", { "data-return": ret.id, "data-return-status": ret.status },
    h("div", { class: "crumbs" }, h("a", { href: "#/" }, t("nav_queues")), " / ", t("order"), " ", orderLink(ret.order_id)),
    h("div", { class: "page-head" },
      h("h1", {}, t("return"), " ", h("span", { class: "mono" }, ret.id)),
      status(ret.status),
      h("span", { class: "muted" }, `${ret.customer_id} · ${label("channel", ret.channel)} · ${when(ret.requested_at)}`)),
    h("div", { class: "grid-2" },
      h("div", {}, requestCard(ret, cur), refundOnlyCard(ret, cur), exchangeCard(ret, cur), verdictCard(ret, policy), evidenceCard(ret), parcelCard(ret),
        card(t("timeline"), timelineList(ret.timeline))),
      h("div", {}, h("section", { class: "card", "data-card": "actions" }, h("h2", {}, t("actions")), actions),
        inspectionAndRefundCard(ret, order, cur), messagesCard(ctx, ret))));
}
