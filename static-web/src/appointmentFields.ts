import type { Me } from "./api";
import { h, uid } from "./dom";
import { t } from "./i18n";

export const customerLanguages: Record<string, string> = { de: "Deutsch", en: "English", fr: "Français", es: "Español", it: "Italiano", pl: "Polski", nl: "Nederlands" };

export interface AppointmentFieldValues {
  type: "individual" | "group";
  date: string;
  start: string;
  end: string;
  sms: boolean;
  email: boolean;
  language: string;
  pinProtected: boolean;
}

/**
 * Date, times, invitation switches (on when the case has that contact — "will be sent" shows in green),
 * language and PIN, as one fieldset with labelled inputs. `contact()` tells which contacts exist right now.
 */
export function appointmentFields(me: Me, initial: Partial<AppointmentFieldValues>, contact: () => { email: boolean; phone: boolean }, options: { allowGroup: boolean }) {
  const id = uid("appt");
  const policy = me.account.pinPolicy;
  const type = h("select", { id: `${id}-type`, name: "type", disabled: !options.allowGroup },
    h("option", { value: "individual", selected: initial.type !== "group" }, t("appointments.type.individual")),
    h("option", { value: "group", selected: initial.type === "group" }, t("appointments.type.group")));
  const date = h("input", { id: `${id}-date`, name: "date", type: "date", value: initial.date ?? "", required: true });
  const start = h("input", { id: `${id}-start`, name: "start", type: "time", value: initial.start ?? "10:00", step: 300, required: true });
  const end = h("input", { id: `${id}-end`, name: "end", type: "time", value: initial.end ?? "10:30", step: 300, required: true });
  const email = h("input", { id: `${id}-email`, name: "sendEmail", type: "checkbox" });
  const sms = h("input", { id: `${id}-sms`, name: "sendSms", type: "checkbox" });
  const emailState = h("span", { class: "will-send" });
  const smsState = h("span", { class: "will-send" });
  const language = h("select", { id: `${id}-language`, name: "language" },
    Object.entries(customerLanguages).map(([code, name]) => h("option", { value: code, selected: code === (initial.language ?? me.account.defaultLanguage) }, name)));
  const pin = h("input", { id: `${id}-pin`, name: "pinProtected", type: "checkbox", checked: initial.pinProtected ?? policy !== "off", disabled: policy === "mandatory" });
  let touchedEmail = initial.email !== undefined;
  let touchedSms = initial.sms !== undefined;
  email.checked = initial.email ?? false;
  sms.checked = initial.sms ?? false;
  email.addEventListener("change", () => { touchedEmail = true; refresh(); });
  sms.addEventListener("change", () => { touchedSms = true; refresh(); });
  type.addEventListener("change", () => refresh());

  /** Switches default to on when the contact exists, until the operator touches them; group meetings send nothing. */
  function refresh(): void {
    const c = contact();
    const group = type.value === "group";
    if (!touchedEmail) email.checked = c.email;
    if (!touchedSms) sms.checked = c.phone;
    email.disabled = group || !c.email;
    sms.disabled = group || !c.phone;
    if (group || !c.email) email.checked = false;
    if (group || !c.phone) sms.checked = false;
    emailState.textContent = email.checked ? "● " + t("appointments.willSend") : "";
    smsState.textContent = sms.checked ? "● " + t("appointments.willSend") : "";
  }
  refresh();
  start.addEventListener("change", () => {
    if (end.value <= start.value) {
      const [hh, mm] = start.value.split(":").map(Number) as [number, number];
      const total = Math.min(23 * 60 + 59, hh * 60 + mm + 30);
      end.value = `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
    }
  });

  const field = (input: HTMLElement, label: string, name: string) =>
    h("div", { class: "field", "data-field": name }, h("label", { for: input.id }, label), input, h("div", { class: "field-error", hidden: true, id: `${input.id}-error` }));
  const check = (input: HTMLInputElement, label: string, state: HTMLElement | null, name: string) =>
    h("div", { class: "field", "data-field": name }, h("div", { class: "checkbox" }, input, h("label", { for: input.id }, label), state), h("div", { class: "field-error", hidden: true, id: `${input.id}-error` }));

  const element = h("fieldset", { class: "appointment-fields" },
    h("legend", { class: "visually-hidden" }, t("appointments.schedule")),
    h("div", { class: "form-row" }, field(type, t("appointments.type"), "type"), field(date, t("appointments.date"), "date")),
    h("div", { class: "form-row" }, field(start, t("appointments.start"), "start"), field(end, t("appointments.end"), "end")),
    h("div", { class: "form-row" }, check(email, t("appointments.sendEmail"), emailState, "invitation.email"), check(sms, t("appointments.sendSms"), smsState, "invitation.sms")),
    h("div", { class: "form-row" }, field(language, t("appointments.language"), "invitation.language"),
      check(pin, t("appointments.pin"), policy === "mandatory" ? h("span", { class: "hint" }, t("appointments.pinMandatory")) : null, "pinProtected")));

  return {
    element,
    refresh,
    /** The API body for these fields (wall-clock times in the operator's time zone). */
    body(): Record<string, unknown> {
      return {
        type: type.value,
        start: `${date.value}T${start.value}`,
        end: `${date.value}T${end.value}`,
        timeZone: me.operator?.timeZone ?? me.account.timeZone,
        invitation: { sms: sms.checked, email: email.checked, language: language.value },
        pinProtected: pin.checked,
      };
    },
    /** Shows a server field error (start, end, invitation.sms …) next to its input; false when no such field here. */
    showError(name: string, message: string): boolean {
      const target = element.querySelector(`[data-field="${name}"]`) ?? (name === "start" || name === "end" ? element.querySelector(`[data-field="${name}"]`) : null);
      if (!target) return false;
      const error = target.querySelector(".field-error") as HTMLElement;
      error.hidden = false;
      error.textContent = message;
      target.querySelector("input,select")?.setAttribute("aria-invalid", "true");
      return true;
    },
    clearErrors(): void {
      element.querySelectorAll(".field-error").forEach((e) => { (e as HTMLElement).hidden = true; e.textContent = ""; });
      element.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    },
  };
}
