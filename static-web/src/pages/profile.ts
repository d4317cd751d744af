import { api, ApiError, type Availability, type DialogAlerts, type Operator } from "../api";
import { h } from "../dom";
import { copyLinkControl, form, timeZoneList } from "../forms";
import { setLanguage, t } from "../i18n";
import type { Context } from "../main";
import { bookingEmbedSnippet, codeSnippet, defaultWidgetColor, previewButton, snippetBlock } from "../widgetSnippet";
import { settingsTabs } from "./shell";

export async function profilePage(ctx: Context): Promise<Node> {
  const me = ctx.me.operator;
  if (!me) return h("p", {}, "");
  let alerts: DialogAlerts | null = null;
  try {
    alerts = await api<DialogAlerts>("GET", "/api/me/dialog-alerts");
  } catch (error) {
    // The profile still works when dialogs are not available (yet).
    if (!(error instanceof ApiError)) throw error;
  }
  let booking: Availability | null = null;
  try {
    booking = await api<Availability>("GET", `/api/operators/${encodeURIComponent(me.id)}/availability`);
  } catch (error) {
    if (!(error instanceof ApiError)) throw error;
  }
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
    alerts ? dialogAlertsCard(alerts) : null,
    alerts ? dialogButtonCard(alerts) : null,
    booking ? bookingPageCard(booking) : null,
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

/** Where the adviser is alerted about new dialogs and customer replies: e-mail, voice call, SMS. */
function dialogAlertsCard(alerts: DialogAlerts): HTMLElement {
  return h("div", { class: "card", id: "dialog-alerts" },
    h("h2", {}, t("dialogAlerts.title")),
    h("p", { class: "muted" }, t("dialogAlerts.intro"), " ", h("strong", {}, t("dialogAlerts.private"))),
    form({
      fields: [
        { name: "email", label: t("dialogAlerts.email"), type: "email", value: alerts.email, autocomplete: "email" },
        { name: "emailOn", label: t("dialogAlerts.emailOn"), type: "checkbox", value: alerts.emailOn },
        { name: "voicePhone", label: t("dialogAlerts.voicePhone"), type: "tel", value: alerts.voicePhoneDisplay ?? alerts.voicePhone, autocomplete: "tel", hint: t("dialogAlerts.phoneHint") },
        { name: "voiceOn", label: t("dialogAlerts.voiceOn"), type: "checkbox", value: alerts.voiceOn, hint: t("dialogAlerts.voiceHint") },
        { name: "smsPhone", label: t("dialogAlerts.smsPhone"), type: "tel", value: alerts.smsPhoneDisplay ?? alerts.smsPhone, autocomplete: "tel", hint: t("dialogAlerts.phoneHint") },
        { name: "smsOn", label: t("dialogAlerts.smsOn"), type: "checkbox", value: alerts.smsOn },
      ],
      submit: t("common.save"),
      validate: (v): Record<string, string> => {
        const errors: Record<string, string> = {};
        if (v.emailOn === true && String(v.email).trim() === "") errors.email = t("dialogAlerts.needsEmail");
        if (v.voiceOn === true && String(v.voicePhone).trim() === "") errors.voicePhone = t("dialogAlerts.needsPhone");
        if (v.smsOn === true && String(v.smsPhone).trim() === "") errors.smsPhone = t("dialogAlerts.needsPhone");
        return errors;
      },
      onSubmit: async (v) => {
        const text = (value: string | boolean | undefined) => (typeof value === "string" && value.trim() !== "" ? value.trim() : null);
        await api<DialogAlerts>("PUT", "/api/me/dialog-alerts", {
          email: text(v.email), emailOn: v.emailOn === true,
          voicePhone: text(v.voicePhone), voiceOn: v.voiceOn === true,
          smsPhone: text(v.smsPhone), smsOn: v.smsOn === true,
        });
        return t("common.saved");
      },
    }));
}

/** The adviser's own button for the business's website. Advisers cannot read the account's button settings, so defaults. */
function dialogButtonCard(alerts: DialogAlerts): HTMLElement {
  const { widgetKey, widgetColor } = alerts;
  const text = alerts.widgetText || t("dialogButton.defaultText");
  return h("div", { class: "card", id: "dialog-button" },
    h("h2", {}, t("dialogButton.title")),
    h("p", { class: "muted" }, t("dialogButton.intro")),
    snippetBlock(widgetKey, text, widgetColor || defaultWidgetColor),
    h("div", { class: "preview" }, h("span", { class: "muted" }, t("dialogButton.preview")), previewButton(widgetKey, text, widgetColor || defaultWidgetColor)));
}

/** The operator's booking page: its link and the code that shows it on a website, or where to publish it. */
function bookingPageCard(booking: Availability): HTMLElement {
  if (!booking.enabled || !booking.bookingUrl || !booking.handle) {
    return h("div", { class: "card", id: "booking-page" },
      h("h2", {}, t("profileBooking.title")),
      h("p", {}, t("profileBooking.notPublished"), " ", h("a", { href: "/settings/booking", "data-link": true }, t("profileBooking.setUp"))));
  }
  const handle = booking.handle;
  return h("div", { class: "card", id: "booking-page" },
    h("h2", {}, t("profileBooking.title")),
    h("div", { class: "field" }, h("span", { class: "label" }, t("profileBooking.link")),
      h("a", { href: booking.bookingUrl, target: "_blank", rel: "noopener", "data-booking-url": true }, booking.bookingUrl),
      copyLinkControl(booking.bookingUrl, t("profileBooking.link"))),
    h("p", { class: "muted" }, t("profileBooking.embedIntro")),
    h("h3", { class: "field-group" }, t("profileBooking.inline")),
    codeSnippet(bookingEmbedSnippet(handle, "inline", ""), t("profileBooking.copyInline"), { "data-embed": "inline" }),
    h("h3", { class: "field-group" }, t("profileBooking.popup")),
    codeSnippet(bookingEmbedSnippet(handle, "popup", t("profileBooking.popupLabel")), t("profileBooking.copyPopup"), { "data-embed": "popup" }),
    h("h3", { class: "field-group" }, t("profileBooking.floating")),
    codeSnippet(bookingEmbedSnippet(handle, "floating", t("profileBooking.floatingLabel")), t("profileBooking.copyFloating"), { "data-embed": "floating" }));
}
