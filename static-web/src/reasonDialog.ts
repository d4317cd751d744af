import { h, uid } from "./dom";
import { t } from "./i18n";

/**
 * Asks why an appointment is cancelled, in a real modal dialog (not `prompt()`): the reason is optional and told to
 * the customer. Resolves with the reason ("" for none), or null when the operator keeps the appointment.
 */
export function askCancelReason(): Promise<string | null> {
  return new Promise((resolve) => {
    const id = uid("reason");
    const reason = h("textarea", { id, name: "reason", rows: 3, maxlength: 500 });
    const confirm = h("button", { type: "submit", class: "danger" }, t("appointments.cancelConfirm"));
    const keep = h("button", { type: "button", class: "secondary" }, t("appointments.cancelKeep"));
    const form = h("form", { method: "dialog", novalidate: true },
      h("h2", {}, t("appointments.cancelTitle")),
      h("div", { class: "field" }, h("label", { for: id }, t("appointments.cancelReason")), reason),
      h("div", { class: "actions" }, confirm, keep));
    const dialog = h("dialog", { class: "modal", "data-dialog": "cancel-appointment" }, form);
    let answer: string | null = null;
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      answer = reason.value.trim();
      dialog.close();
    });
    keep.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    document.body.append(dialog);
    dialog.showModal();
    reason.focus();
  });
}
