// Sign-in: paste a token, or (local stack) one click, or (AWS) the OIDC issuer's hosted login.

import { localSignIn, signIn, signOut, startOidc, takeReturn } from "../auth.js";
import { t } from "../i18n.js";
import { banner, fieldProblem, form, h, problemText } from "../ui.js";

export function render(ctx) {
  const { config, api } = ctx;
  const local = config.auth === "local";
  const done = () => {
    ctx.refreshChrome();
    location.hash = takeReturn();
  };
  const paste = form({
    id: "signin-token",
    submit: t("sign_in"),
    tone: local ? "secondary" : "primary",
    fields: [{ name: "token", label: t("bearer_token"), type: "textarea", rows: 4, required: true, wide: true,
      hint: local ? t("token_hint_local") : t("token_hint_aws") }],
    onSubmit: async ({ token }) => {
      try {
        signIn(token);
      } catch {
        throw fieldProblem("token", t("required"));
      }
      // A cheap admin call proves the token before the queues load; a refused one is not kept.
      try {
        await api.request("GET", "/v1/admin/exceptions", { query: { limit: 1 }, probe: true });
      } catch (error) {
        signOut();
        throw fieldProblem("token", problemText(error));
      }
    },
    onDone: done,
  });
  const quick = local
    ? h("div", {},
      h("button", {
        type: "button",
        class: "primary",
        "data-action": "local-admin",
        onclick: async () => {
          try {
            await localSignIn(api);
            done();
          } catch (error) {
            banner(problemText(error));
          }
        },
      }, t("sign_in_local_admin")),
      h("div", { class: "or" }, t("or_paste_token")))
    : h("div", {},
      h("button", {
        type: "button",
        class: "primary",
        "data-action": "oidc",
        onclick: () => startOidc(config.oidc).catch((error) => banner(problemText(error))),
      }, t("sign_in_with_sso")),
      h("div", { class: "or" }, t("or_paste_token")));
  return h("div", { class: "signin" },
    h("div", { class: "card" },
      h("h1", {}, t("signin_title")),
      h("p", { class: "muted" }, t("signin_lead")),
      quick,
      paste,
      local
        ? h("div", {}, h("h3", {}, t("token_how")),
          h("ol", {}, h("li", {}, t("token_step_run"), " ", h("code", {}, "make run")),
            h("li", {}, t("token_step_mint"), " ", h("code", {}, "make -s token ARGS=--admin")),
            h("li", {}, t("token_step_paste"))))
        : null));
}
