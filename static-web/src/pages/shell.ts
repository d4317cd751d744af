import { h } from "../dom";
import { language, setLanguage, t, uiLanguages } from "../i18n";
import type { Context } from "../main";
import en from "../i18n/en.json";
import de from "../i18n/de.json";

const names: Record<string, string> = { en: en["language.name"], de: de["language.name"] };

export function languageSwitch(): HTMLElement {
  const id = "language-switch";
  const select = h("select", { id, onchange: (e: Event) => {
    setLanguage((e.target as HTMLSelectElement).value);
    window.dispatchEvent(new Event("parley:language"));
  } }, uiLanguages.map((code) => h("option", { value: code, selected: code === language() }, names[code] ?? code)));
  return h("div", { class: "lang-switch" }, h("label", { for: id, class: "visually-hidden" }, t("language.label")), select);
}

export function brand(): HTMLElement {
  return h("a", { class: "brand", href: "/", "data-link": true }, h("img", { src: "/favicon.svg", alt: "" }), "Parley");
}

/** The signed-in layout: navigation (Cases, Calendar, Dialogs, Settings), who is signed in, language, sign-out. */
export function shell(ctx: Context, activeNav: string, _path: string, content: HTMLElement, signOut: () => Promise<void>): HTMLElement {
  const item = (href: string, key: "nav.cases" | "nav.calendar" | "nav.dialogs" | "nav.settings") =>
    h("li", {}, h("a", { href, "data-link": true, "aria-current": href === activeNav ? "page" : undefined }, t(key)));
  return h("div", { class: "shell" },
    h("aside", { class: "sidebar" },
      brand(),
      h("nav", { "aria-label": t("nav.main") }, h("ul", {},
        item("/cases", "nav.cases"), item("/calendar", "nav.calendar"), item("/dialogs", "nav.dialogs"), item("/settings", "nav.settings"))),
      h("div", { class: "account" },
        h("div", {}, h("strong", {}, ctx.me.operator?.name ?? "API"), h("br"), ctx.me.account.businessName),
        languageSwitch(),
        h("button", { type: "button", class: "link", onclick: () => void signOut() }, t("common.signOut")))),
    h("main", { class: "main", id: "main" }, content));
}

/** Tabs of the Settings area; administrators see them all, operators only their profile. */
export function settingsTabs(ctx: Context, active: string): HTMLElement {
  const isAdmin = ctx.me.operator?.role === "administrator";
  const tabs: [string, "settings.account" | "settings.operators" | "settings.customFields" | "settings.apiKeys" | "settings.dialogs" | "settings.profile" | "settings.outbox"][] = isAdmin
    ? [["/settings/account", "settings.account"], ["/settings/operators", "settings.operators"], ["/settings/custom-fields", "settings.customFields"], ["/settings/api-keys", "settings.apiKeys"], ["/settings/dialogs", "settings.dialogs"], ["/settings/profile", "settings.profile"], ["/settings/outbox", "settings.outbox"]]
    : [["/settings/profile", "settings.profile"]];
  return h("nav", { class: "tabs", "aria-label": t("settings.title") },
    tabs.map(([href, key]) => h("a", { href, "data-link": true, "aria-current": href === active ? "page" : undefined }, t(key))));
}
