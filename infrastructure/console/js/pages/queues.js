// The day's work: what waits for a person, with deadlines and how much is overdue.

import { label, t } from "../i18n.js";
import { deadline, h, money, orderLink, returnLink, status, table, unavailable, when } from "../ui.js";

async function load(api, path) {
  try {
    return { data: await api.get(path, { limit: 100 }) };
  } catch (error) {
    if (error.missing) return { missing: true };
    return { error };
  }
}

function overdueCount(data) {
  if (!data) return 0;
  return typeof data.overdue === "number" ? data.overdue : data.items.filter((i) => i.overdue).length;
}

function kindBadge(kind) {
  return h("span", { class: `badge kind-${kind}` }, label("kind", kind));
}

function itemHref(item) {
  return item.kind === "return" ? `#/returns/${encodeURIComponent(item.id)}` : `#/orders/${encodeURIComponent(item.id)}`;
}

function section(id, title, result, build) {
  const body = result.missing ? unavailable(title)
    : result.error ? h("p", { class: "banner error" }, result.error.message)
      : build(result.data.items || []);
  const count = result.data ? result.data.items.length : null;
  const overdue = overdueCount(result.data);
  return h("section", { class: "card", id, "data-queue": id },
    h("h2", {}, title,
      count !== null ? h("span", { class: "count" }, `· ${count}`) : null,
      overdue ? h("span", { class: "badge bad" }, t("n_overdue", { n: overdue })) : null),
    body);
}

function tile(href, title, result) {
  const count = result.data ? result.data.items.length : null;
  const overdue = overdueCount(result.data);
  return h("a", { class: "tile", href },
    h("div", { class: "label" }, title),
    h("div", { class: "value" }, count === null ? "—" : String(count)),
    h("div", { class: `sub${overdue ? " overdue" : " muted"}` },
      count === null ? t("not_available_short") : overdue ? t("n_overdue", { n: overdue }) : t("none_overdue")));
}

export async function render({ api }) {
  const [review, pick, inspect, exceptions] = await Promise.all([
    load(api, "/v1/admin/review-queue"),
    load(api, "/v1/admin/fulfillment-queue"),
    load(api, "/v1/admin/inspection-queue"),
    load(api, "/v1/admin/exceptions"),
  ]);

  const reviewSection = section("review", t("queue_review"), review, (items) => table([
    { title: t("kind"), cell: (i) => kindBadge(i.kind) },
    { title: t("id"), cell: (i) => (i.kind === "return" ? returnLink(i.id) : orderLink(i.id)) },
    { title: t("customer"), cell: (i) => i.customer_id },
    { title: t("why"), cell: (i) => (i.kind === "return" ? label("reason", i.reason) : (i.reasons || []).map((r) => label("review_reason", r)).join(", ") || "—") },
    { title: t("amount"), num: true, cell: (i) => (i.total !== undefined ? money(i.total, i.currency) : "—") },
    { title: t("deadline"), cell: (i) => deadline(i.deadline, i.overdue) },
  ], items, { href: itemHref, empty: t("queue_empty") }));

  const pickSection = section("pick", t("queue_pick"), pick, (items) => table([
    { title: "#", num: true, cell: (i) => String(items.indexOf(i) + 1) },
    { title: t("order"), cell: (i) => orderLink(i.id) },
    { title: t("customer"), cell: (i) => i.customer_id },
    { title: t("priority"), cell: (i) => [i.perishable ? h("span", { class: "badge warn" }, t("perishable")) : null, " ", i.vip ? h("span", { class: "badge info" }, "VIP") : null] },
    { title: t("paid_at"), cell: (i) => when(i.paid_at) },
    { title: t("amount"), num: true, cell: (i) => money(i.total, i.currency) },
    { title: t("ship_by"), cell: (i) => deadline(i.deadline, i.overdue) },
  ], items, { href: itemHref, empty: t("queue_empty") }));

  const inspectSection = section("inspect", t("queue_inspect"), inspect, (items) => table([
    { title: t("return"), cell: (i) => returnLink(i.id) },
    { title: t("status"), cell: (i) => status(i.status) },
    { title: t("reason"), cell: (i) => label("reason", i.reason) },
    { title: t("parcel"), cell: (i) => (i.parcel ? [label("carrier", i.parcel.carrier), " ", h("span", { class: "mono" }, i.parcel.tracking_number)] : "—") },
    { title: t("deadline"), cell: (i) => deadline(i.deadline, i.overdue) },
  ], items, { href: (i) => `#/returns/${encodeURIComponent(i.id)}`, empty: t("queue_empty") }));

  const exceptionSection = section("exceptions", t("queue_exceptions"), exceptions, (items) => table([
    { title: t("order"), cell: (i) => orderLink(i.order_id) },
    { title: t("exception_kind"), cell: (i) => h("span", { class: "badge bad" }, label("exception", i.kind)) },
    { title: t("owner"), cell: (i) => i.owner || "—" },
    { title: t("opened"), cell: (i) => when(i.opened_at) },
    { title: t("note"), cell: (i) => i.note || "—" },
    { title: t("deadline"), cell: (i) => deadline(i.deadline, i.overdue) },
  ], items, { href: (i) => `#/orders/${encodeURIComponent(i.order_id)}`, empty: t("queue_empty") }));

  return h("div", {},
    h("div", { class: "page-head" }, h("h1", {}, t("queues_title")), h("span", { class: "spacer" }),
      h("button", { type: "button", onclick: () => window.dispatchEvent(new HashChangeEvent("hashchange")) }, t("refresh"))),
    h("div", { class: "tiles" },
      tile("#/?q=review", t("queue_review"), review),
      tile("#/?q=pick", t("queue_pick"), pick),
      tile("#/?q=inspect", t("queue_inspect"), inspect),
      tile("#/?q=exceptions", t("queue_exceptions"), exceptions)),
    reviewSection, pickSection,
    h("div", { class: "grid-halves" }, inspectSection, exceptionSection));
}

/** Tiles link to "#/?q=<section>": scroll there once the page is drawn. */
export function after({ query }) {
  if (query.q) document.getElementById(query.q)?.scrollIntoView({ block: "start" });
}
