import { api } from "../api";
import { h } from "../dom";
import { form, timeZoneList } from "../forms";
import { t } from "../i18n";
import { brand, languageSwitch } from "./shell";

function card(title: string, ...content: (Node | null)[]): HTMLElement {
  return h("main", { class: "public" }, h("div", { class: "public-card" }, brand(), h("h1", {}, title), ...content));
}

function footer(question: string, href: string, link: string): HTMLElement {
  return h("div", { class: "public-footer" }, h("span", {}, question + " ", h("a", { href, "data-link": true }, link)), languageSwitch());
}

export function signInPage(): Node {
  const params = new URLSearchParams(location.search);
  const notice = params.has("passwordSet") ? t("signIn.passwordSet") : params.has("signedOut") ? t("signIn.signedOut") : null;
  return card(t("signIn.title"),
    notice ? h("div", { class: "alert success", role: "status" }, notice) : null,
    form({
      fields: [
        { name: "email", label: t("signIn.email"), type: "email", required: true, autocomplete: "username", value: params.get("email") },
        { name: "password", label: t("signIn.password"), type: "password", required: true, autocomplete: "current-password" },
      ],
      submit: t("signIn.submit"),
      onSubmit: async (v) => {
        await api("POST", "/api/auth/sign-in", { email: v.email, password: v.password });
        location.assign("/cases");
      },
    }),
    footer(t("signIn.noAccount"), "/sign-up", t("signIn.signUpLink")));
}

export function signUpPage(): Node {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "Europe/Berlin";
  return card(t("signUp.title"),
    h("p", {}, t("signUp.intro")),
    timeZoneList("time-zones"),
    form({
      fields: [
        { name: "businessName", label: t("signUp.businessName"), required: true, autocomplete: "organization", maxLength: 100 },
        { name: "timeZone", label: t("signUp.timeZone"), required: true, value: zone, list: "time-zones", hint: t("signUp.timeZoneHint") },
        { name: "adminName", label: t("signUp.adminName"), required: true, autocomplete: "name", maxLength: 100 },
        { name: "email", label: t("signUp.email"), type: "email", required: true, autocomplete: "email" },
        { name: "password", label: t("signUp.password"), type: "password", required: true, autocomplete: "new-password", hint: t("signUp.passwordHint") },
      ],
      submit: t("signUp.submit"),
      validate: (v): Record<string, string> => (String(v.password).length > 0 && String(v.password).length < 10 ? { password: t("errors.passwordLength") } : {}),
      onSubmit: async (v) => {
        await api("POST", "/api/accounts", v);
        location.assign("/settings");
      },
    }),
    footer(t("signUp.haveAccount"), "/sign-in", t("signUp.signInLink")));
}

export function setPasswordPage(navigate: (path: string) => void): Node {
  // The token is in the fragment, which browsers never send to servers.
  const token = new URLSearchParams(location.hash.slice(1)).get("token");
  if (!token) {
    return card(t("setPassword.title"), h("div", { class: "alert error", role: "alert" }, t("setPassword.missingToken")));
  }
  return card(t("setPassword.title"),
    h("p", {}, t("setPassword.intro")),
    form({
      fields: [
        { name: "password", label: t("setPassword.password"), type: "password", required: true, autocomplete: "new-password", hint: t("signUp.passwordHint") },
        { name: "confirm", label: t("setPassword.confirm"), type: "password", required: true, autocomplete: "new-password" },
      ],
      submit: t("setPassword.submit"),
      validate: (v): Record<string, string> => (v.password !== v.confirm ? { confirm: t("setPassword.mismatch") } : String(v.password).length < 10 ? { password: t("errors.passwordLength") } : {}),
      onSubmit: async (v) => {
        await api("POST", "/api/auth/set-password", { token, password: v.password });
        history.replaceState(null, "", "/set-password"); // drop the used token from the address bar
        navigate("/sign-in?passwordSet=1");
      },
    }),
    h("div", { class: "public-footer" }, languageSwitch()));
}
