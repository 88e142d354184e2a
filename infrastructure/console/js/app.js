// The console's entry: reads config.json, keeps the top bar, routes "#/..." to a page.

import { Api } from "./api.js";
import * as auth from "./auth.js";
import { currentLang, setLang, t } from "./i18n.js";
import { Router } from "./router.js";
import { banner, clearBanner, h, problemText } from "./ui.js";
import * as inventory from "./pages/inventory.js";
import * as order from "./pages/order.js";
import * as orders from "./pages/orders.js";
import * as queues from "./pages/queues.js";
import * as reports from "./pages/reports.js";
import * as ret from "./pages/return.js";
import * as signin from "./pages/signin.js";
import * as webhooks from "./pages/webhooks.js";

const main = document.getElementById("main");
const topbar = document.getElementById("topbar");

async function loadConfig() {
  try {
    const answer = await fetch("config.json", { cache: "no-cache" });
    if (answer.ok) return await answer.json();
  } catch {
    /* served without a config: same-origin API, pasted tokens */
  }
  return { api_base_url: "", auth: "token", oidc: {} };
}

const config = await loadConfig();
let router;
const api = new Api(config.api_base_url, auth.token, () => {
  auth.signOut();
  auth.rememberReturn(location.hash);
  banner(t("session_expired"));
  location.hash = "#/signin";
});

const NAV = [
  ["#/", "nav_queues", (p) => p === "/"],
  ["#/orders", "nav_orders", (p) => p.startsWith("/orders")],
  ["#/inventory", "nav_inventory", (p) => p.startsWith("/inventory")],
  ["#/reports", "nav_reports", (p) => p.startsWith("/reports")],
  ["#/webhooks", "nav_webhooks", (p) => p.startsWith("/webhooks")],
];

function drawChrome(path = router ? router.current().path : "/") {
  const signedIn = Boolean(auth.token());
  const other = currentLang() === "zh" ? "en" : "zh";
  topbar.replaceChildren(
    h("a", { class: "brand", href: "#/" }, h("span", { class: "brand-mark", "aria-hidden": "true" }, "O"), t("brand")),
    h("nav", { "aria-label": t("main_navigation") }, signedIn
      ? NAV.map(([href, key, active]) => h("a", { href, class: active(path) ? "active" : null, "aria-current": active(path) ? "page" : null }, t(key)))
      : null),
    h("div", { class: "who" },
      h("button", {
        type: "button",
        "data-action": "lang",
        lang: other === "zh" ? "zh-CN" : "en",
        "aria-label": t("switch_language"),
        onclick: () => {
          setLang(other);
          drawChrome();
          render(router.current(), { keepScroll: true });
        },
      }, other === "zh" ? "中文" : "English"),
      signedIn ? [h("span", { "data-who": "" }, auth.subject()),
        h("button", {
          type: "button",
          onclick: () => {
            auth.signOut();
            location.hash = "#/signin";
            drawChrome();
          },
        }, t("sign_out"))] : null));
}

const PAGES = { queues, order, ret, inventory, orders, reports, signin, webhooks };
let generation = 0;

async function render(match, { keepScroll = false } = {}) {
  const mine = ++generation;
  const page = match.route ? PAGES[match.route.page] : null;
  if (!page) {
    location.hash = "#/";
    return;
  }
  if (match.route.page !== "signin" && !auth.token()) {
    auth.rememberReturn(location.hash);
    location.hash = "#/signin";
    return;
  }
  drawChrome(match.path);
  const scroll = window.scrollY;
  if (!keepScroll) main.replaceChildren(h("p", { class: "muted loading" }, t("loading")));
  const ctx = {
    api,
    config,
    params: match.params,
    query: match.query,
    refreshChrome: () => drawChrome(),
    reload: () => render(router.current(), { keepScroll: true }),
  };
  let node;
  try {
    node = await page.render(ctx);
  } catch (error) {
    if (error && error.status === 401) return;
    node = h("section", { class: "card", "data-page-error": "" },
      h("h2", {}, error && error.status === 404 ? t("not_found") : t("could_not_load")),
      h("p", {}, problemText(error)),
      h("a", { href: "#/" }, t("back_to_queues")));
  }
  if (mine !== generation) return; // a newer navigation won
  main.replaceChildren(node);
  main.dataset.page = match.route.page;
  document.title = `${t("brand")} · ${t(`title_${match.route.page}`)}`;
  if (keepScroll) window.scrollTo(0, scroll);
  else {
    window.scrollTo(0, 0);
    main.focus({ preventScroll: true });
  }
  if (page.after) page.after(ctx);
}

router = new Router((match) => {
  clearBanner();
  return render(match);
});
router
  .add("/", "queues")
  .add("/signin", "signin")
  .add("/orders", "orders")
  .add("/orders/:id", "order")
  .add("/returns/:id", "ret")
  .add("/inventory", "inventory")
  .add("/inventory/:sku", "inventory")
  .add("/reports", "reports")
  .add("/webhooks", "webhooks")
  .add("/webhooks/:id", "webhooks");

try {
  if (config.auth === "oidc" && (await auth.finishOidc(config.oidc))) location.hash = auth.takeReturn();
} catch (error) {
  banner(problemText(error));
}
document.addEventListener("keydown", (event) => {
  // Ctrl/Cmd+Enter sends a form from a multi-line field (Enter alone starts a new line there).
  if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && event.target.matches("textarea")) {
    event.preventDefault();
    event.target.form?.requestSubmit();
  }
});
router.resolve();
