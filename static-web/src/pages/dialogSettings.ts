import { api, type AdviserWidget, type DialogSettings, type SecretWord } from "../api";
import { problemText } from "../problems";
import { h, replace, uid } from "../dom";
import { form } from "../forms";
import { formatDate, t } from "../i18n";
import type { Context } from "../main";
import { previewButton, snippetBlock } from "../widgetSnippet";
import { settingsTabs } from "./shell";
import { confirmDialog } from "../confirmDialog";

/** Settings › Dialogs (administrators): limits, alert caller ID, the button's look, secret words, every adviser's snippet. */
export async function dialogSettingsPage(ctx: Context): Promise<Node> {
  let settings = await api<DialogSettings>("GET", "/api/dialog-settings");
  const words = h("div", { class: "table-wrap" });
  const wordStatus = h("div", { role: "status" });
  const widgets = h("div", { class: "table-wrap" });

  const renderWords = (list: SecretWord[]) => {
    if (list.length === 0) {
      replace(words, h("p", { class: "empty" }, t("secretWords.empty")));
      return;
    }
    const sorted = [...list].sort((a, b) => Number(b.active) - Number(a.active) || b.createdAt.localeCompare(a.createdAt));
    replace(words, h("table", {},
      h("thead", {}, h("tr", {}, [t("secretWords.word"), t("secretWords.status"), t("secretWords.created"), t("secretWords.actions")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, sorted.map((w) => h("tr", { "data-word": w.word, class: w.active ? undefined : "inactive" },
        h("td", {}, h("code", {}, w.word)),
        h("td", {}, w.active ? h("span", { class: "badge" }, t("secretWords.active"))
          : h("span", {}, h("span", { class: "badge off" }, t("secretWords.retired")), w.retiredAt ? h("span", { class: "muted small" }, " " + formatDate(w.retiredAt)) : null)),
        h("td", {}, formatDate(w.createdAt)),
        h("td", {}, w.active ? h("button", { type: "button", class: "danger", onclick: async () => {
          if (!await confirmDialog({ title: t("common.confirmTitle"), text: t("secretWords.confirmRetire", { word: w.word }), confirm: t("secretWords.retire"), cancel: t("common.cancel"), danger: true })) return;
          try {
            await api<SecretWord>("DELETE", `/api/dialog-settings/secret-words/${encodeURIComponent(w.id)}`);
            wordStatus.className = "alert success";
            wordStatus.textContent = t("secretWords.retiredNotice", { word: w.word });
            await reloadWords();
          } catch (error) {
            wordStatus.className = "alert error";
            wordStatus.textContent = problemText(error);
          }
        } }, t("secretWords.retire")) : null))))));
  };
  const reloadWords = async () => {
    settings = await api<DialogSettings>("GET", "/api/dialog-settings");
    renderWords(settings.secretWords);
  };

  const renderWidgets = async () => {
    let list: AdviserWidget[];
    try {
      list = await api<AdviserWidget[]>("GET", "/api/dialog-settings/widgets");
    } catch (error) {
      replace(widgets, h("div", { class: "alert error", role: "alert" }, problemText(error)));
      return;
    }
    if (list.length === 0) {
      replace(widgets, h("p", { class: "empty" }, t("adviserButtons.empty")));
      return;
    }
    replace(widgets, h("table", { class: "snippets" },
      h("thead", {}, h("tr", {}, [t("adviserButtons.adviser"), t("dialogs.lineId"), t("adviserButtons.snippet")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, list.map((w) => h("tr", { "data-adviser": w.name, class: w.active ? undefined : "inactive" },
        h("td", {}, h("strong", {}, w.name), w.active ? null : h("div", {}, h("span", { class: "badge off" }, t("operators.inactive")))),
        h("td", {}, w.lineId ?? "—"),
        h("td", { class: "snippet-cell" },
          snippetBlock(w.widgetKey, settings.widgetText, settings.widgetColor, t("adviserButtons.copy", { name: w.name })),
          previewButton(w.widgetKey, settings.widgetText, settings.widgetColor)))))));
  };

  renderWords(settings.secretWords);
  await renderWidgets();

  const settingsForm = form({
    fields: [
      { name: "maxMessageLength", label: t("dialogSettings.maxMessageLength"), type: "number", value: String(settings.maxMessageLength), required: true, hint: t("dialogSettings.maxMessageLengthHint") },
      { name: "callerId", label: t("dialogSettings.callerId"), type: "tel", value: settings.callerIdDisplay ?? settings.callerId, hint: t("dialogSettings.callerIdHint") },
      { name: "widgetText", label: t("dialogSettings.widgetText"), value: settings.widgetText, required: true, maxLength: 40 },
      { name: "widgetColor", label: t("dialogSettings.widgetColor"), type: "color", value: settings.widgetColor },
      { name: "smsToCustomers", label: t("dialogSettings.smsToCustomers"), type: "checkbox", value: settings.smsToCustomers, hint: t("dialogSettings.smsToCustomersHint") },
    ],
    submit: t("common.save"),
    validate: (v): Record<string, string> => {
      const n = Number(v.maxMessageLength);
      return Number.isInteger(n) && n >= 50 && n <= 2000 ? {} : { maxMessageLength: t("dialogSettings.maxMessageLengthError") };
    },
    onSubmit: async (v) => {
      const saved = await api<DialogSettings>("PUT", "/api/dialog-settings", {
        maxMessageLength: Number(v.maxMessageLength),
        callerId: typeof v.callerId === "string" && v.callerId.trim() !== "" ? v.callerId.trim() : null,
        widgetText: String(v.widgetText).trim(),
        widgetColor: String(v.widgetColor),
        smsToCustomers: v.smsToCustomers === true,
      });
      settings = { ...settings, ...saved, secretWords: saved.secretWords ?? settings.secretWords };
      await renderWidgets();
      return t("common.saved");
    },
  });

  const wordId = uid("secret-word");
  const wordInput = h("input", { id: wordId, name: "word", type: "text", autocomplete: "off", maxlength: 50, "aria-describedby": `${wordId}-hint ${wordId}-error` });
  const wordError = h("div", { class: "field-error", id: `${wordId}-error`, hidden: true });
  const addWord = h("form", { class: "inline-form", novalidate: true },
    h("div", { class: "field" },
      h("label", { for: wordId }, t("secretWords.new")), wordInput,
      h("div", { class: "hint", id: `${wordId}-hint` }, t("secretWords.hint")), wordError),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("secretWords.add"))));
  addWord.addEventListener("submit", async (event) => {
    event.preventDefault();
    wordError.hidden = true;
    wordInput.removeAttribute("aria-invalid");
    wordStatus.textContent = "";
    wordStatus.className = "";
    const word = wordInput.value.trim();
    const fail = (message: string) => {
      wordError.hidden = false;
      wordError.textContent = message;
      wordInput.setAttribute("aria-invalid", "true");
      wordInput.focus();
    };
    if (word.length < 4 || word.length > 50) return fail(t("secretWords.length"));
    try {
      await api<SecretWord>("POST", "/api/dialog-settings/secret-words", { word });
      wordInput.value = "";
      wordStatus.className = "alert success";
      wordStatus.textContent = t("secretWords.added", { word });
      await reloadWords();
    } catch (error) {
      fail(problemText(error));
    }
  });

  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/dialogs"),
    h("div", { class: "card" },
      h("h2", {}, t("dialogSettings.title")),
      h("p", { class: "muted" }, t("dialogSettings.intro")),
      settingsForm),
    h("div", { class: "card" },
      h("h2", {}, t("secretWords.title")),
      h("p", { class: "muted" }, t("secretWords.intro")),
      addWord,
      wordStatus,
      words),
    h("div", { class: "card" },
      h("h2", {}, t("adviserButtons.title")),
      h("p", { class: "muted" }, t("adviserButtons.intro")),
      widgets));
}
