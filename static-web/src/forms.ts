import { ApiError, NetworkError } from "./api";
import { h, uid } from "./dom";
import { t } from "./i18n";

export interface Option {
  value: string;
  label: string;
}

export interface FieldSpec {
  name: string;
  label: string;
  type?: "text" | "email" | "password" | "tel" | "number" | "color" | "datetime-local" | "url" | "select" | "checkbox" | "textarea" | "custom";
  value?: string | boolean | null;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  options?: Option[];
  list?: string;
  maxLength?: number;
  /** A heading (and optional note) shown above this field, starting a group of related fields. */
  group?: { title: string; note?: string };
  /** Textarea rows. */
  rows?: number;
  /** Number fields: the smallest and largest value the browser offers. */
  min?: number;
  max?: number;
  /**
   * `custom`: content the page draws itself (a weekly hours editor, rows added on the fly). It has no value of its own;
   * its errors go to error slots inside it (see {@link errorSlot}).
   */
  content?: Node;
}

export type Values = Record<string, string | boolean>;

interface FormOptions {
  fields: FieldSpec[];
  submit: string;
  /** Client-side checks in the user's language; the server validates again and its field errors are shown the same way. */
  validate?: (values: Values) => Record<string, string>;
  onSubmit: (values: Values) => Promise<string | void>;
  secondary?: boolean;
}

/** A form whose fields show their own errors inline, whether they come from the browser or from the API's ProblemDetails. */
export function form(options: FormOptions): HTMLFormElement {
  const alert = h("div", { role: "alert", class: "alert", hidden: true });
  const controls = new Map<string, { input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement; error: HTMLElement }>();
  const rows = options.fields.map((spec) => {
    const group = spec.group ? [h("h3", { class: "field-group" }, spec.group.title), spec.group.note ? h("p", { class: "hint" }, spec.group.note) : null] : [];
    if (spec.type === "custom") return [...group, spec.content ?? null];
    const id = uid(spec.name);
    const hintId = spec.hint ? `${id}-hint` : undefined;
    const errorId = `${id}-error`;
    const error = h("div", { id: errorId, class: "field-error", hidden: true });
    let input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
    if (spec.type === "textarea") {
      input = h("textarea", { id, name: spec.name, rows: spec.rows ?? 4, required: spec.required, maxlength: spec.maxLength,
        "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") }, (spec.value as string | null) ?? "");
    } else if (spec.type === "select") {
      input = h("select", { id, name: spec.name, "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") },
        (spec.options ?? []).map((o) => h("option", { value: o.value, selected: o.value === spec.value }, o.label)));
    } else if (spec.type === "checkbox") {
      input = h("input", { id, name: spec.name, type: "checkbox", checked: spec.value === true, "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") });
    } else {
      input = h("input", {
        id, name: spec.name, type: spec.type ?? "text", value: (spec.value as string | null) ?? "",
        required: spec.required, autocomplete: spec.autocomplete, list: spec.list, maxlength: spec.maxLength, min: spec.min, max: spec.max,
        "aria-describedby": [hintId, errorId].filter(Boolean).join(" "),
      });
    }
    controls.set(spec.name, { input, error });
    if (spec.type === "checkbox") {
      return [...group, h("div", { class: "field" }, h("div", { class: "checkbox" }, input, h("label", { for: id }, spec.label)),
        spec.hint ? h("div", { id: hintId, class: "hint" }, spec.hint) : null, error)];
    }
    return [...group, h("div", { class: "field" }, h("label", { for: id }, spec.label), input,
      spec.hint ? h("div", { id: hintId, class: "hint" }, spec.hint) : null, error)];
  });
  const button = h("button", { type: "submit", class: options.secondary ? "secondary" : undefined }, options.submit);

  const clear = () => {
    alert.hidden = true;
    alert.className = "alert";
    for (const { input, error } of controls.values()) {
      input.removeAttribute("aria-invalid");
      error.hidden = true;
      error.textContent = "";
    }
    for (const slot of el.querySelectorAll<HTMLElement>("[data-error-for]")) {
      slot.hidden = true;
      slot.textContent = "";
    }
    for (const input of el.querySelectorAll("[data-control-for]")) input.removeAttribute("aria-invalid");
  };
  const showField = (name: string, message: string): boolean => {
    const control = controls.get(name);
    if (!control) return showSlot(el, name, message);
    control.input.setAttribute("aria-invalid", "true");
    control.error.hidden = false;
    control.error.textContent = message;
    return true;
  };
  const showAlert = (kind: "error" | "success", message: string) => {
    alert.hidden = false;
    alert.className = `alert ${kind}`;
    alert.textContent = message;
  };

  const el = h("form", { novalidate: true }, alert, rows.flat(), h("div", { class: "actions" }, button));
  el.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear();
    const values: Values = {};
    for (const [name, { input }] of controls) {
      values[name] = input instanceof HTMLInputElement && input.type === "checkbox" ? input.checked : input.value;
    }
    const local = { ...required(options.fields, values), ...(options.validate?.(values) ?? {}) };
    if (Object.keys(local).length > 0) {
      Object.entries(local).forEach(([name, message]) => showField(name, message));
      focusFirstInvalid(el);
      return;
    }
    button.disabled = true;
    const label = button.textContent;
    button.textContent = t("common.saving");
    try {
      const success = await options.onSubmit(values);
      if (success) showAlert("success", success);
    } catch (error) {
      if (error instanceof ApiError) {
        const unmatched: string[] = [];
        for (const [name, messages] of Object.entries(error.problem.errors ?? {})) {
          if (!showField(name, messages.join(" "))) unmatched.push(...messages);
        }
        const hasFieldErrors = Object.keys(error.problem.errors ?? {}).length > unmatched.length;
        if (unmatched.length > 0 || !hasFieldErrors) {
          showAlert("error", unmatched.join(" ") || error.problem.detail || error.problem.title || t("errors.unexpected"));
        }
        focusFirstInvalid(el);
      } else {
        showAlert("error", error instanceof NetworkError ? t("errors.network") : t("errors.unexpected"));
      }
    } finally {
      button.disabled = false;
      button.textContent = label;
    }
  });
  return el;
}

function required(fields: FieldSpec[], values: Values): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const v = values[f.name];
    if (f.required && typeof v === "string" && v.trim() === "") errors[f.name] = t("errors.required");
    else if (f.type === "email" && typeof v === "string" && v.trim() !== "" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v.trim())) errors[f.name] = t("errors.email");
  }
  return errors;
}

function focusFirstInvalid(form: HTMLFormElement): void {
  (form.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
}

/**
 * An error slot for a control a page draws itself inside a {@link form}: a server (or local) error for `name` shows
 * here, and the elements marked with {@link markControl} for the same name are flagged invalid (and focused first).
 */
export function errorSlot(name: string): HTMLElement {
  return h("div", { class: "field-error", id: uid("slot-error"), "data-error-for": name, hidden: true });
}

/** Ties a control to the error slot of `name` (described by it, flagged invalid with it). */
export function markControl<T extends HTMLElement>(control: T, name: string, slot?: HTMLElement): T {
  control.setAttribute("data-control-for", name);
  if (slot) control.setAttribute("aria-describedby", [control.getAttribute("aria-describedby"), slot.id].filter(Boolean).join(" "));
  return control;
}

function showSlot(form: HTMLFormElement, name: string, message: string): boolean {
  const slot = form.querySelector<HTMLElement>(`[data-error-for="${CSS.escape(name)}"]`);
  if (!slot) return false;
  slot.hidden = false;
  slot.textContent = message;
  for (const control of form.querySelectorAll(`[data-control-for="${CSS.escape(name)}"]`)) control.setAttribute("aria-invalid", "true");
  return true;
}

/** A read-only secret with a copy button (API keys, password links). */
export function secretBox(value: string, label: string): HTMLElement {
  const status = h("span", { class: "visually-hidden", role: "status" });
  const code = h("code", { "aria-label": label, tabindex: 0 }, value);
  const copy = h("button", { type: "button", class: "secondary", onclick: async () => {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      const range = document.createRange();
      range.selectNodeContents(code);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      document.execCommand("copy");
    }
    status.textContent = t("common.copied");
    copy.textContent = "✓ " + t("common.copy");
  } }, t("common.copy"));
  return h("div", {}, h("div", { class: "secret" }, code, copy), status);
}

/**
 * A long link as one short control: "Copy link" copies it (the address stays available as the button's title and
 * to screen readers), and says "Link copied" when done.
 */
export function copyLinkControl(url: string, label: string): HTMLElement {
  const status = h("span", { class: "copied", role: "status" });
  const copy = h("button", { type: "button", class: "secondary small", title: url, "data-url": url, "aria-label": `${t("common.copyLink")}: ${label}` }, t("common.copyLink"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(url);
    } catch {
      const scratch = h("textarea", { class: "visually-hidden", readonly: true }, url);
      document.body.append(scratch);
      scratch.select();
      document.execCommand("copy");
      scratch.remove();
    }
    status.textContent = "✓ " + t("common.linkCopied");
  });
  return h("div", { class: "copy-link" }, copy, status);
}

export function timeZoneList(id: string): HTMLDataListElement {
  const zones = (Intl as unknown as { supportedValuesOf?: (k: string) => string[] }).supportedValuesOf?.("timeZone") ?? ["Europe/Berlin", "Europe/Vienna", "Europe/Zurich", "UTC"];
  return h("datalist", { id }, zones.map((z) => h("option", { value: z })));
}
