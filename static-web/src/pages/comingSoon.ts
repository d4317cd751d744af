import { h } from "../dom";
import { t, type TextKey } from "../i18n";

export function comingSoonPage(pageKey: TextKey): Node {
  return h("section", { class: "card coming-soon" },
    h("h1", {}, t("comingSoon.title", { page: t(pageKey) })),
    h("p", {}, t("comingSoon.text")),
    h("a", { class: "button", href: "/settings", "data-link": true }, t("nav.settings")));
}
