import { api, type CustomField } from "../api";
import { confirmDialog } from "../confirmDialog";
import { problemText } from "../problems";
import { h, replace } from "../dom";
import { form } from "../forms";
import { t, type TextKey } from "../i18n";
import type { Context } from "../main";
import { settingsTabs } from "./shell";

const types: CustomField["type"][] = ["text", "number", "date", "choice"];
const typeName = (type: string) => t(`customFields.type.${type}` as TextKey);

/** A key suggested from a label: "Abo-Stufe" → "abo-stufe", "Kunde seit" → "kunde-seit". */
export function suggestKey(label: string): string {
  const ascii = label.toLowerCase().replace(/ä/g, "ae").replace(/ö/g, "oe").replace(/ü/g, "ue").replace(/ß/g, "ss")
    .normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  return ascii.replace(/[^a-z0-9]+/g, "-").replace(/^[^a-z]+/, "").slice(0, 40).replace(/-+$/, "");
}

const splitChoices = (text: string) => text.split(",").map((c) => c.trim()).filter((c) => c !== "");


/**
 * Settings → Custom fields (administrators): define, rename, reorder and remove the extra fields every case has.
 * Reordering uses buttons (keyboard and screen readers work the same as a mouse); removing archives (see the API).
 */
export async function customFieldsPage(ctx: Context): Promise<Node> {
  let fields: CustomField[] = [];
  const list = h("div", {});
  const status = h("div", { role: "status", class: "alert success", hidden: true });
  const error = h("div", { role: "alert", class: "alert error", hidden: true });

  const say = (message: string | null, problem: unknown = null) => {
    status.hidden = message === null;
    status.textContent = message ?? "";
    error.hidden = problem === null;
    error.textContent = problem === null ? "" : problemText(problem);
  };

  /** Draws the list from what is stored; after a move the moved row's button keeps the focus (the other arrow at an end). */
  const refresh = async (focus?: { key: string; action: "up" | "down" }) => {
    fields = await api<CustomField[]>("GET", "/api/custom-fields");
    if (fields.length === 0) {
      replace(list, h("p", { class: "empty" }, t("customFields.empty")));
      return;
    }
    replace(list, h("div", { class: "table-wrap" }, h("table", { class: "custom-fields-table" },
      h("thead", {}, h("tr", {}, [t("customFields.label"), t("customFields.key"), t("customFields.type"), t("operators.actions")]
        .map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, fields.map((f, i) => h("tr", { "data-field": f.key },
        h("td", {}, h("strong", {}, f.label), f.required ? [" ", h("span", { class: "badge" }, t("customFields.required"))] : null,
          f.askWhenBooking ? [" ", h("span", { class: "badge", "data-ask-when-booking": true }, t("customFields.askedWhenBooking"))] : null),
        h("td", {}, h("code", {}, f.key)),
        h("td", {}, typeName(f.type),
          f.choices.length ? h("div", { class: "muted small ellipsis-line choices", title: f.choices.join(", ") }, f.choices.join(", ")) : null),
        h("td", {}, h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary small", "data-action": "up", disabled: i === 0, "aria-label": t("customFields.moveUp", { label: f.label }), onclick: () => void move(i, -1) }, "↑"),
          h("button", { type: "button", class: "secondary small", "data-action": "down", disabled: i === fields.length - 1, "aria-label": t("customFields.moveDown", { label: f.label }), onclick: () => void move(i, 1) }, "↓"),
          h("button", { type: "button", class: "secondary small", onclick: () => edit(f) }, t("customFields.edit")),
          h("button", { type: "button", class: "danger small", onclick: () => void remove(f) }, t("customFields.remove"))))))))));
    if (!focus) return;
    const row = list.querySelector(`tr[data-field="${CSS.escape(focus.key)}"]`);
    (row?.querySelector<HTMLButtonElement>(`button[data-action="${focus.action}"]:not([disabled])`) ?? row?.querySelector<HTMLButtonElement>("button:not([disabled])"))?.focus();
  };

  const move = async (index: number, by: number) => {
    const keys = fields.map((f) => f.key);
    const [key] = keys.splice(index, 1);
    keys.splice(index + by, 0, key!);
    try {
      await api("PUT", "/api/custom-fields/order", { keys });
      say(t("customFields.moved", { label: fields[index]!.label, position: String(index + by + 1) }));
    } catch (e) {
      say(null, e);
    }
    await refresh({ key: key!, action: by < 0 ? "up" : "down" });
  };

  const remove = async (f: CustomField) => {
    const sure = await confirmDialog({
      title: t("customFields.removeTitle", { label: f.label }),
      text: t("customFields.removeText", { key: f.key }),
      confirm: t("customFields.remove"),
      cancel: t("common.cancel"),
      danger: true,
    });
    if (!sure) return;
    try {
      await api("DELETE", `/api/custom-fields/${encodeURIComponent(f.key)}`);
      say(t("customFields.removed", { label: f.label }));
    } catch (e) {
      say(null, e);
    }
    await refresh();
  };

  const edit = (f: CustomField) => {
    const editForm = form({
      fields: [
        { name: "label", label: t("customFields.label"), required: true, value: f.label, maxLength: 60 },
        ...(f.type === "choice" ? [{ name: "choices", label: t("customFields.choices"), hint: t("customFields.choicesHint"), required: true, value: f.choices.join(", ") }] : []),
        { name: "required", label: t("customFields.requiredLabel"), type: "checkbox" as const, value: f.required, hint: t("customFields.requiredHint") },
        { name: "askWhenBooking", label: t("customFields.askWhenBooking"), type: "checkbox" as const, value: f.askWhenBooking === true, hint: t("customFields.askWhenBookingHint") },
      ],
      submit: t("common.save"),
      onSubmit: async (v) => {
        await api("PATCH", `/api/custom-fields/${encodeURIComponent(f.key)}`, {
          label: v.label, required: v.required, askWhenBooking: v.askWhenBooking === true, ...(f.type === "choice" ? { choices: splitChoices(String(v.choices)) } : {}),
        });
        dialog.close();
        say(t("customFields.saved", { label: String(v.label).trim() }));
        await refresh();
      },
    });
    const title = h("h2", { id: `edit-field-${f.key}` }, t("customFields.editTitle", { label: f.label }));
    const dialog = h("dialog", { class: "modal", "aria-labelledby": title.id }, title,
      h("p", { class: "muted" }, t("customFields.editIntro", { key: f.key, type: typeName(f.type) })), editForm);
    editForm.querySelector(".actions")?.append(h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("common.cancel")));
    dialog.addEventListener("close", () => dialog.remove());
    document.body.append(dialog);
    dialog.showModal();
    editForm.querySelector<HTMLInputElement>("input[name=label]")?.focus();
  };

  await refresh();

  const addForm = form({
    fields: [
      { name: "label", label: t("customFields.label"), required: true, maxLength: 60, hint: t("customFields.labelHint") },
      { name: "key", label: t("customFields.key"), required: true, maxLength: 40, hint: t("customFields.keyHint"), autocomplete: "off" },
      { name: "type", label: t("customFields.type"), type: "select", value: "text", options: types.map((value) => ({ value, label: typeName(value) })) },
      { name: "choices", label: t("customFields.choices"), hint: t("customFields.choicesHint") },
      { name: "required", label: t("customFields.requiredLabel"), type: "checkbox", value: false, hint: t("customFields.requiredHint") },
      { name: "askWhenBooking", label: t("customFields.askWhenBooking"), type: "checkbox", value: false, hint: t("customFields.askWhenBookingHint") },
    ],
    submit: t("customFields.add"),
    validate: (v): Record<string, string> => (v.type === "choice" && splitChoices(String(v.choices)).length === 0 ? { choices: t("customFields.choicesNeeded") } : {}),
    onSubmit: async (v) => {
      await api("POST", "/api/custom-fields", {
        key: String(v.key).trim(), label: v.label, type: v.type, required: v.required, askWhenBooking: v.askWhenBooking === true,
        choices: v.type === "choice" ? splitChoices(String(v.choices)) : [],
      });
      const label = String(v.label).trim();
      addForm.reset();
      keyTouched = false;
      choicesRow.hidden = true;
      say(t("customFields.added", { label }));
      await refresh();
    },
  });
  // The key follows the label until the administrator types one; choices only matter for choice fields.
  const labelInput = addForm.querySelector<HTMLInputElement>("input[name=label]")!;
  const keyInput = addForm.querySelector<HTMLInputElement>("input[name=key]")!;
  const typeSelect = addForm.querySelector<HTMLSelectElement>("select[name=type]")!;
  const choicesRow = addForm.querySelector<HTMLInputElement>("input[name=choices]")!.closest<HTMLElement>(".field")!;
  let keyTouched = false;
  labelInput.addEventListener("input", () => { if (!keyTouched) keyInput.value = suggestKey(labelInput.value); });
  keyInput.addEventListener("input", () => { keyTouched = keyInput.value !== ""; });
  choicesRow.hidden = true;
  typeSelect.addEventListener("change", () => { choicesRow.hidden = typeSelect.value !== "choice"; });

  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/custom-fields"),
    h("div", { class: "card" }, h("h2", {}, t("customFields.title")), h("p", {}, t("customFields.intro")), status, error, list),
    h("div", { class: "card" }, h("h2", {}, t("customFields.add")), addForm));
}
