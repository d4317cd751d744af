import type { CustomField } from "./api";
import { h, uid } from "./dom";

/** The input for one administrator-defined case field: a choice list, a date, a number or text. */
export function customFieldInput(f: CustomField, value: string | undefined): HTMLInputElement | HTMLSelectElement {
  const id = uid(f.key);
  return f.type === "choice"
    ? h("select", { id, name: f.key, required: f.required }, h("option", { value: "" }, "—"), f.choices.map((choice) => h("option", { value: choice, selected: value === choice }, choice)))
    : h("input", { id, name: f.key, type: f.type === "date" ? "date" : f.type === "number" ? "number" : "text", value: value ?? "", required: f.required });
}
