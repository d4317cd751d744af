import { api, type CustomField } from "../api";
import { customFieldInput } from "../customFieldInput";
import { appointmentFields } from "../appointmentFields";
import { h, uid } from "../dom";
import { t } from "../i18n";
import type { Context } from "../main";
import { localParts } from "../time";
import { showProblem } from "./cases";

/** "New case": contact data, optional immediate scheduling with invitation switches, internal notes. */
export async function openNewCaseDialog(ctx: Context, onCreated: (caseId: string) => void): Promise<void> {
  const definitions = await api<CustomField[]>("GET", "/api/custom-fields");
  const zone = ctx.me.operator?.timeZone ?? ctx.me.account.timeZone;
  const ids = { name: uid("name"), email: uid("email"), phone: uid("phone"), notes: uid("notes"), now: uid("now") };
  // No maxlength: it would drop the 51st character silently; the 50-character rule is shown instead.
  const name = h("input", { id: ids.name, name: "name", required: true, autocomplete: "off" });
  const email = h("input", { id: ids.email, name: "email", type: "email", autocomplete: "off" });
  const phone = h("input", { id: ids.phone, name: "phone", type: "tel", autocomplete: "off" });
  const notes = h("textarea", { id: ids.notes, name: "notes", rows: 3 });
  const scheduleNow = h("input", { id: ids.now, type: "checkbox", checked: true });
  const appointment = appointmentFields(ctx.me, { date: localParts(new Date(Date.now() + 86_400_000), zone).date }, () => ({ email: email.value.trim() !== "", phone: phone.value.trim() !== "" }), { allowGroup: true });
  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit" });
  const errorFor = (input: HTMLElement) => h("div", { class: "field-error", id: `${input.id}-error`, hidden: true });
  const fieldErrors: Record<string, [HTMLElement, HTMLElement]> = {};
  const field = (input: HTMLElement, label: string, apiName: string, hint?: string) => {
    const error = errorFor(input);
    fieldErrors[apiName] = [input, error];
    input.setAttribute("aria-describedby", error.id);
    return h("div", { class: "field" }, h("label", { for: input.id }, label), input, hint ? h("div", { class: "hint" }, hint) : null, error);
  };

  const customInputs = definitions.map((f) => ({ f, input: customFieldInput(f, undefined) }));
  const customFields = customInputs.length === 0 ? null : h("fieldset", { class: "custom-fields" },
    h("legend", {}, t("case.customFields")),
    h("div", { class: "form-row" }, customInputs.map(({ f, input }) => field(input, f.label + (f.required ? " *" : ""), `customFields.${f.key}`))));
  const nameRule = () => name.value.length > 50 ? t("case.tooLong", { max: "50", count: String(name.value.length) }) : null;
  name.addEventListener("input", () => {
    const problem = nameRule();
    fieldErrors.name![1].hidden = problem === null;
    fieldErrors.name![1].textContent = problem ?? "";
    if (problem) name.setAttribute("aria-invalid", "true"); else name.removeAttribute("aria-invalid");
  });

  const updateLabel = () => {
    appointment.refresh();
    appointment.element.hidden = !scheduleNow.checked;
    const body = appointment.body() as { invitation: { sms: boolean; email: boolean } };
    submit.textContent = !scheduleNow.checked ? t("newCase.create")
      : body.invitation.sms || body.invitation.email ? t("newCase.createAndInvite") : t("newCase.createAndSchedule");
  };
  [email, phone].forEach((i) => i.addEventListener("input", updateLabel));
  appointment.element.addEventListener("change", updateLabel);
  scheduleNow.addEventListener("change", updateLabel);

  const form = h("form", { method: "dialog", novalidate: true },
    h("h2", {}, t("newCase.title")),
    alert,
    field(name, t("case.name"), "name", t("case.nameHint")),
    h("div", { class: "form-row" }, field(email, t("case.email"), "email"), field(phone, t("case.phone"), "phone", t("case.phoneHint"))),
    customFields,
    h("div", { class: "checkbox" }, scheduleNow, h("label", { for: ids.now }, t("newCase.scheduleNow"))),
    appointment.element,
    field(notes, t("case.notes"), "notes", t("case.notesHint")),
    h("div", { class: "actions" }, submit, h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("appointments.close"))));
  const dialog = h("dialog", { class: "modal", "aria-labelledby": "" }, form);
  updateLabel();

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    appointment.clearErrors();
    Object.values(fieldErrors).forEach(([input, error]) => { input.removeAttribute("aria-invalid"); error.hidden = true; });
    const nameProblem = name.value.trim() === "" ? t("errors.required") : nameRule();
    if (nameProblem) {
      fieldErrors.name![0].setAttribute("aria-invalid", "true");
      fieldErrors.name![1].hidden = false;
      fieldErrors.name![1].textContent = nameProblem;
      name.focus();
      return;
    }
    const custom = Object.fromEntries(customInputs.filter(({ input }) => input.value !== "").map(({ f, input }) => [f.key, input.value]));
    const caseBody = { name: name.value, email: email.value || null, phone: phone.value || null, notes: notes.value || null, customFields: custom };
    submit.disabled = true;
    try {
      const created = scheduleNow.checked
        ? (await api<{ case: { id: string } }>("POST", "/api/appointments", { case: caseBody, ...appointment.body() })).case
        : await api<{ id: string }>("POST", "/api/cases", caseBody);
      dialog.close();
      onCreated(created.id);
    } catch (error) {
      showProblem(error, alert, (field, message) => {
        const key = field.replace(/^case\./, "");
        const known = fieldErrors[key];
        if (known) {
          known[0].setAttribute("aria-invalid", "true");
          known[1].hidden = false;
          known[1].textContent = message;
          return true;
        }
        return appointment.showError(field, message);
      });
      (form.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
    } finally {
      submit.disabled = false;
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  name.focus();
}
