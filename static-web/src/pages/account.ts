import { api, type Account } from "../api";
import { customerLanguages } from "../appointmentFields";
import type { TextKey } from "../i18n";
import { h } from "../dom";
import { form, timeZoneList } from "../forms";
import { t } from "../i18n";
import type { Context } from "../main";
import { settingsTabs } from "./shell";


const reminderChoices = [10080, 2880, 1440, 120, 60, 15];

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
            options: Object.entries(customerLanguages).map(([value, label]) => ({ value, label })) },
          { name: "separateOperators", label: t("account.separateOperators"), type: "checkbox", value: account.separateOperators, hint: t("account.separateOperatorsHint") },
          { name: "meetingMode", label: t("account.meetingMode"), type: "select", value: account.meetingMode,
            options: [{ value: "videoAndChat", label: t("account.meetingMode.videoAndChat") }, { value: "chatOnly", label: t("account.meetingMode.chatOnly") }] },
          { name: "pinPolicy", label: t("account.pinPolicy"), type: "select", value: account.pinPolicy,
            options: [{ value: "off", label: t("account.pinPolicy.off") }, { value: "defaultOn", label: t("account.pinPolicy.defaultOn") }, { value: "mandatory", label: t("account.pinPolicy.mandatory") }] },
          { name: "meetingOpensMinutesBefore", label: t("account.meetingOpens"), type: "number", value: String(account.meetingOpensMinutesBefore), hint: t("account.meetingOpensHint") },
          { name: "locationSharing", label: t("account.locationSharing"), type: "checkbox", value: account.locationSharing, hint: t("account.locationSharingHint") },
          { name: "contactLine", label: t("account.contactLine"), value: account.contactLine, maxLength: 200, hint: t("account.contactLineHint") },
          { name: "senderEmail", label: t("account.senderEmail"), type: "email", value: account.senderEmail, autocomplete: "off" },
          { name: "senderName", label: t("account.senderName"), value: account.senderName, maxLength: 100 },
          { name: "bookingConsentText", label: t("account.bookingConsentText"), type: "textarea", rows: 3, value: account.bookingConsentText ?? "", maxLength: 1000,
            hint: t("account.bookingConsentTextHint"), group: { title: t("account.bookingPages") } },
          { name: "embedOrigins", label: t("account.embedOrigins"), type: "textarea", rows: 3, value: (account.embedOrigins ?? []).join("\n"), hint: t("account.embedOriginsHint") },
          ...reminderChoices.map((minutes) => ({
            name: `reminder-${minutes}`, label: t(`account.reminder.${minutes}` as TextKey), type: "checkbox" as const,
            value: account.reminderOffsetMinutes.includes(minutes),
            group: minutes === reminderChoices[0] ? { title: t("account.reminders"), note: t("account.remindersHint") } : undefined,
          })),
        ],
        submit: t("common.save"),
        onSubmit: async (v) => {
          const reminderOffsetMinutes = reminderChoices.filter((m) => v[`reminder-${m}`] === true);
          const settings = Object.fromEntries(Object.entries(v).filter(([k]) => !k.startsWith("reminder-")));
          const opens = Number(v.meetingOpensMinutesBefore);
          // One website per line; an empty consent text removes the consent checkbox from booking pages.
          const embedOrigins = String(v.embedOrigins).split(/\r?\n/).map((line) => line.trim()).filter((line) => line !== "");
          await api("PATCH", "/api/account", { ...settings, meetingOpensMinutesBefore: Number.isInteger(opens) ? opens : -1, reminderOffsetMinutes, embedOrigins });
          await ctx.refreshMe();
          return t("common.saved");
        },
      })));
}
