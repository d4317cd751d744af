import { h } from "./dom";

export interface ConfirmOptions {
  title: string;
  text: string;
  confirm: string;
  cancel: string;
  /** Styles the confirming button as destructive. */
  danger?: boolean;
}

/**
 * Asks in a modal <dialog> (instead of window.confirm, which cannot be styled, translated or tested like the page).
 * Resolves true when confirmed; Escape, Cancel or the backdrop's close resolve false. Focus starts on Cancel so a
 * hasty Enter does not destroy anything.
 */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => {
    let confirmed = false;
    const title = h("h2", { id: `confirm-title-${Date.now()}` }, options.title);
    const cancel = h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, options.cancel);
    const ok = h("button", { type: "button", class: options.danger ? "danger" : undefined, onclick: () => { confirmed = true; dialog.close(); } }, options.confirm);
    const dialog = h("dialog", { class: "modal confirm", "aria-labelledby": title.id, role: "alertdialog" },
      title, h("p", {}, options.text), h("div", { class: "actions" }, ok, cancel));
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(confirmed);
    });
    document.body.append(dialog);
    dialog.showModal();
    cancel.focus();
  });
}
