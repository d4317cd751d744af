import { api, type Account } from "../api";
import { h } from "../dom";
import { form, timeZoneList } from "../forms";
import { t } from "../i18n";
import type { Context } from "../main";
import { settingsTabs } from "./shell";

const languageNames: Record<string, string> = { de: "Deutsch", en: "English", fr: "Français", es: "Español", it: "Italiano", pl: "Polski", nl: "Nederlands" };

export async function accountPage(ctx: Context): Promise<Node> {
  const account = await api<Account>("GET", "/api/account");
  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/account"),
    h("div", { class: "card" },
      h("h2", {}, t("account.title")),
      timeZoneList("account-zones"),
      form({
        fields: [
          { name: "businessName", label: t("account.businessName"), required: true, value: account.businessName, maxLength: 100 },
          { name: "timeZone", label: t("account.timeZone"), required: true, value: account.timeZone, list: "account-zones" },
          { name: "defaultLanguage", label: t("account.defaultLanguage"), type: "select", value: account.defaultLanguage, hint: t("account.defaultLanguageHint"),
            options: Object.entries(languageNames).map(([value, label]) => ({ value, label })) },
          { name: "separateOperators", label: t("account.separateOperators"), type: "checkbox", value: account.separateOperators, hint: t("account.separateOperatorsHint") },
          { name: "meetingMode", label: t("account.meetingMode"), type: "select", value: account.meetingMode,
            options: [{ value: "videoAndChat", label: t("account.meetingMode.videoAndChat") }, { value: "chatOnly", label: t("account.meetingMode.chatOnly") }] },
          { name: "pinPolicy", label: t("account.pinPolicy"), type: "select", value: account.pinPolicy,
            options: [{ value: "off", label: t("account.pinPolicy.off") }, { value: "defaultOn", label: t("account.pinPolicy.defaultOn") }, { value: "mandatory", label: t("account.pinPolicy.mandatory") }] },
          { name: "senderEmail", label: t("account.senderEmail"), type: "email", value: account.senderEmail, autocomplete: "off" },
          { name: "senderName", label: t("account.senderName"), value: account.senderName, maxLength: 100 },
        ],
        submit: t("common.save"),
        onSubmit: async (v) => {
          await api("PATCH", "/api/account", v);
          await ctx.refreshMe();
          return t("common.saved");
        },
      })));
}
