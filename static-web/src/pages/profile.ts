import { api, type Operator } from "../api";
import { h } from "../dom";
import { form, timeZoneList } from "../forms";
import { setLanguage, t } from "../i18n";
import type { Context } from "../main";
import { settingsTabs } from "./shell";

export async function profilePage(ctx: Context): Promise<Node> {
  const me = ctx.me.operator;
  if (!me) return h("p", {}, "");
  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/profile"),
    h("div", { class: "card" },
      h("h2", {}, t("profile.title")),
      timeZoneList("profile-zones"),
      form({
        fields: [
          { name: "name", label: t("profile.name"), required: true, value: me.name, autocomplete: "name", maxLength: 100 },
          { name: "timeZone", label: t("profile.timeZone"), required: true, value: me.timeZone, list: "profile-zones" },
          { name: "language", label: t("profile.language"), type: "select", value: me.language,
            options: [{ value: "de", label: "Deutsch" }, { value: "en", label: "English" }] },
        ],
        submit: t("common.save"),
        onSubmit: async (v) => {
          const saved = await api<Operator>("PATCH", "/api/me", v);
          await ctx.refreshMe();
          if (saved.language !== document.documentElement.lang) {
            setLanguage(saved.language);
            window.dispatchEvent(new Event("parley:language"));
          }
          return t("common.saved");
        },
      })),
    h("div", { class: "card" },
      h("h2", {}, t("profile.passwordTitle")),
      form({
        fields: [
          { name: "currentPassword", label: t("profile.currentPassword"), type: "password", required: true, autocomplete: "current-password" },
          { name: "newPassword", label: t("profile.newPassword"), type: "password", required: true, autocomplete: "new-password", hint: t("signUp.passwordHint") },
        ],
        submit: t("profile.changePassword"),
        secondary: true,
        onSubmit: async (v) => {
          await api("POST", "/api/me/password", v);
          return t("profile.passwordChanged");
        },
      })));
}
