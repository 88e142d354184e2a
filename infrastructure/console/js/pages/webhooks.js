// Outbound webhooks: the subscriptions (who hears which events, whether they are failing), a new one with
// its secret shown once, and one subscription's deliveries with every attempt, replayable by hand.

import { go } from "../router.js";
import { t } from "../i18n.js";
import { banner, card, form, h, kv, status, table, when } from "../ui.js";

const types = (list) => (list || []).join(", ");

function secretBox(secret) {
  return h("div", { class: "banner success", "data-secret": "" },
    h("strong", {}, t("webhook_secret_once")), " ", h("code", { class: "mono" }, secret));
}

async function renderList(ctx) {
  const { api } = ctx;
  const { subscriptions } = await api.get("/v1/admin/webhooks");
  const shown = h("div", {});
  const create = form({
    id: "webhook-new",
    submit: t("webhook_create"),
    fields: [
      { name: "url", label: t("webhook_url"), required: true, wide: true, placeholder: "https://erp.example.com/hooks/oms" },
      { name: "event_types", label: t("webhook_types"), required: true, wide: true, hint: t("webhook_types_hint"), placeholder: "order.paid, order.shipped" },
      { name: "owner_email", label: t("webhook_owner"), placeholder: "ops@example.com" },
      { name: "description", label: t("description") },
    ],
    onSubmit: (v) => {
      const body = { url: v.url.trim(), event_types: v.event_types.split(",").map((s) => s.trim()).filter(Boolean) };
      if (v.owner_email.trim()) body.owner_email = v.owner_email.trim();
      if (v.description.trim()) body.description = v.description.trim();
      return api.post("/v1/admin/webhooks", body);
    },
    onDone: async (made) => {
      await ctx.reload();
      document.querySelector("[data-webhook-secret-area]").replaceChildren(secretBox(made.secret));
    },
  });
  return h("div", { "data-webhooks": "" },
    h("div", { class: "page-head" }, h("h1", {}, t("webhooks_title"))),
    h("div", { "data-webhook-secret-area": "" }, shown),
    card(t("webhook_subscriptions"), table([
      { title: t("webhook_url"), cell: (s) => h("span", { class: "mono" }, s.url) },
      { title: t("webhook_types"), cell: (s) => types(s.event_types) },
      { title: t("status"), cell: (s) => status(s.status === "active" && s.failing_since ? "failing" : s.status) },
      { title: t("webhook_failing_since"), cell: (s) => (s.failing_since ? when(s.failing_since) : "—") },
      { title: t("description"), cell: (s) => s.description || "" },
    ], subscriptions, { empty: t("webhook_none"), href: (s) => `#/webhooks/${s.id}` })),
    card(t("webhook_new"), create));
}

async function renderOne(ctx, id) {
  const { api } = ctx;
  const base = `/v1/admin/webhooks/${encodeURIComponent(id)}`;
  const [subscription, { deliveries }] = await Promise.all([api.get(base), api.get(`${base}/deliveries`)]);
  const act = (path, body, message) => async () => {
    const answer = await api.request(path.method, path.url, { body });
    await ctx.reload();
    banner(message, "success");
    return answer;
  };
  const toggle = subscription.status === "active"
    ? h("button", { type: "button", class: "secondary", "data-action": "pause", onclick: act({ method: "PATCH", url: base }, { status: "paused" }, t("webhook_paused")) }, t("webhook_pause"))
    : h("button", { type: "button", class: "primary", "data-action": "resume", onclick: act({ method: "PATCH", url: base }, { status: "active" }, t("webhook_resumed")) }, t("webhook_resume"));
  const rotate = h("button", { type: "button", class: "secondary", "data-action": "rotate", onclick: async () => {
    const rotated = await api.post(`${base}/rotate-secret`, {});
    await ctx.reload();
    document.querySelector("[data-webhook-secret-area]").replaceChildren(secretBox(rotated.secret));
  } }, t("webhook_rotate"));
  const replay = (d) => (["delivered", "failed", "cancelled"].includes(d.status)
    ? h("button", { type: "button", class: "secondary", "data-replay": d.id, onclick: async () => {
      await api.post(`${base}/deliveries/${encodeURIComponent(d.id)}/replay`, {});
      await ctx.reload();
      banner(t("webhook_replayed"), "success");
    } }, t("webhook_replay"))
    : "");
  const attempts = (d) => h("ol", { class: "attempts" }, (d.attempts || []).map((a) => h("li", { "data-attempt": a.n },
    `${when(a.at)} · `, a.status_code ? `HTTP ${a.status_code} · ${a.latency_ms} ms` : `${a.error}: ${a.detail || ""}`,
    a.excerpt ? h("span", { class: "muted" }, ` · ${a.excerpt.slice(0, 80)}`) : null)));
  return h("div", { "data-webhook": id },
    h("div", { class: "page-head" }, h("h1", {}, t("webhook_subscription")), h("span", { class: "mono muted" }, id),
      h("button", { type: "button", class: "link", onclick: () => go("/webhooks") }, t("back"))),
    h("div", { "data-webhook-secret-area": "" }),
    card(null, kv([
      [t("webhook_url"), subscription.url, "mono"],
      [t("webhook_types"), types(subscription.event_types)],
      [t("status"), status(subscription.status)],
      [t("webhook_failing_since"), subscription.failing_since ? when(subscription.failing_since) : "—"],
      [t("webhook_owner"), subscription.owner_email || "—"],
    ]), h("div", { class: "actions" }, toggle, rotate)),
    card(t("webhook_deliveries"), table([
      { title: t("webhook_event"), cell: (d) => h("span", {}, d.type, " ", h("span", { class: "mono muted" }, d.order_id)) },
      { title: t("status"), cell: (d) => status(d.status) },
      { title: t("webhook_attempts"), cell: attempts },
      { title: "", cell: replay },
    ], deliveries, { empty: t("webhook_no_deliveries") })));
}

export async function render(ctx) {
  return ctx.params.id ? renderOne(ctx, ctx.params.id) : renderList(ctx);
}
