import { api, type ChatFieldMode, type ChatSettings, type CustomField } from "../api";
import { confirmDialog } from "../confirmDialog";
import { h, replace } from "../dom";
import { form, secretBox, type FieldSpec, type Values } from "../forms";
import { t, type TextKey } from "../i18n";
import type { Context } from "../main";
import { problemText } from "../problems";
import { codeSnippet } from "../widgetSnippet";
import { settingsTabs } from "./shell";

const modes: ChatFieldMode[] = ["off", "optional", "required"];
const contactFields = ["name", "email", "phone"] as const;

/** The HTML a website needs for the chat launcher (docs/chat.md); shown as text only. */
export function chatEmbedSnippet(chatKey: string): string {
  return `<script src="${location.origin}/chat-embed.js" data-parley-chat="${chatKey}" async></script>`;
}

/**
 * Settings › Website chat (administrators, docs/chat.md): on/off, what the widget says and looks like, the pre-chat
 * form, identity verification with its secret, and the snippet for the website. Saved with one PUT; the server's field
 * errors (`greeting`, `preChat.email`, …) show at their controls (the controls carry those names).
 */
export async function chatSettingsPage(ctx: Context): Promise<Node> {
  const [loaded, customFields] = await Promise.all([
    api<ChatSettings>("GET", "/api/chat-settings"),
    api<CustomField[]>("GET", "/api/custom-fields"),
  ]);
  let settings = loaded;
  const modeOptions = modes.map((value) => ({ value, label: t(`chatSettings.mode.${value}` as TextKey) }));
  const preChatFields: FieldSpec[] = [
    ...contactFields.map((name) => ({ name: `preChat.${name}`, label: t(`chatSettings.preChat.${name}` as TextKey) })),
    ...customFields.map((f) => ({ name: `preChat.${f.key}`, label: f.label })),
  ].map((spec, i) => ({
    ...spec, type: "select" as const, options: modeOptions, value: settings.preChat[spec.name.slice("preChat.".length)] ?? "off",
    group: i === 0 ? { title: t("chatSettings.preChat"), note: t("chatSettings.preChatHint") } : undefined,
  }));

  const settingsForm = form({
    fields: [
      { name: "enabled", label: t("chatSettings.enabled"), type: "checkbox", value: settings.enabled, hint: t("chatSettings.enabledHint") },
      // No maxlength attribute (it drops characters silently): the rule is shown and the server says when it is broken.
      { name: "greeting", label: t("chatSettings.greeting"), type: "textarea", rows: 3, value: settings.greeting, hint: t("chatSettings.greetingHint") },
      { name: "color", label: t("chatSettings.color"), type: "color", value: settings.color },
      { name: "replyTime", label: t("chatSettings.replyTime"), value: settings.replyTime, hint: t("chatSettings.replyTimeHint") },
      ...preChatFields,
      { name: "identityVerification", label: t("chatSettings.identityVerification"), type: "select", options: modeOptions, value: settings.identityVerification,
        hint: t("chatSettings.identityVerificationHint"), group: { title: t("chatSettings.identity") } },
    ],
    submit: t("common.save"),
    onSubmit: async (v: Values) => {
      const preChat: Record<string, string> = {};
      for (const spec of preChatFields) preChat[spec.name.slice("preChat.".length)] = String(v[spec.name]);
      settings = await api<ChatSettings>("PUT", "/api/chat-settings", {
        enabled: v.enabled === true,
        greeting: String(v.greeting).trim(),
        color: String(v.color),
        replyTime: String(v.replyTime).trim(),
        preChat,
        identityVerification: String(v.identityVerification),
      });
      return settings.enabled ? t("chatSettings.savedOn") : t("chatSettings.savedOff");
    },
  });
  settingsForm.querySelector<HTMLInputElement>("input[name=enabled]")?.setAttribute("role", "switch");

  const secret = h("div", { class: "chat-secret" });
  const secretStatus = h("div", { class: "alert", hidden: true });
  const showSecret = () => replace(secret, secretBox(settings.secret, t("chatSettings.secret")));
  showSecret();
  const rotate = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!await confirmDialog({ title: t("common.confirmTitle"), text: t("chatSettings.newSecretConfirm"), confirm: t("chatSettings.newSecret"), cancel: t("common.cancel"), danger: true })) return;
    secretStatus.hidden = false;
    try {
      settings = await api<ChatSettings>("POST", "/api/chat-settings/secret");
      showSecret();
      secretStatus.className = "alert success";
      secretStatus.textContent = t("chatSettings.newSecretDone");
    } catch (error) {
      secretStatus.className = "alert error";
      secretStatus.textContent = problemText(error);
    }
  } }, t("chatSettings.newSecret"));

  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/chat"),
    h("div", { class: "card" },
      h("h2", {}, t("chatSettings.title")),
      h("p", { class: "muted" }, t("chatSettings.intro")),
      settingsForm),
    h("div", { class: "card" },
      h("h2", {}, t("chatSettings.embed")),
      h("p", { class: "muted" }, t("chatSettings.embedIntro")),
      codeSnippet(chatEmbedSnippet(settings.chatKey), t("chatSettings.copySnippet"), { "data-chat-snippet": "" }),
      h("p", { class: "hint chat-origins-note" }, t("chatSettings.originsNote"), " ",
        h("a", { href: "/settings/account", "data-link": true }, t("chatSettings.originsLink")))),
    h("div", { class: "card" },
      h("h2", {}, t("chatSettings.secretTitle")),
      h("p", { class: "muted" }, t("chatSettings.secretIntro")),
      secret,
      h("div", { class: "actions" }, rotate),
      secretStatus));
}
