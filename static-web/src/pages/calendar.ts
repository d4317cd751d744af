import { api, type Appointment, type CalendarEntry, type CasePage, type Operator } from "../api";
import { appointmentFields } from "../appointmentFields";
import { h, replace, uid } from "../dom";
import { language, t } from "../i18n";
import type { Context } from "../main";
import { addDays, addMinutes, formatDay, localParts, mondayOf } from "../time";
import { showProblem } from "./cases";

const firstHour = 6;
const lastHour = 22;
const cellHeight = 24; // px per half hour

/** Week view of one operator's appointments, in that operator's time zone. */
export async function calendarPage(ctx: Context): Promise<Node> {
  const zone = ctx.me.operator?.timeZone ?? ctx.me.account.timeZone;
  const isAdmin = ctx.me.operator?.role === "administrator";
  const operators = await api<Operator[]>("GET", "/api/operators");
  let operatorId = ctx.me.operator?.id ?? operators[0]?.id ?? "";
  let monday = mondayOf(localParts(new Date(), zone).date);
  const grid = h("div", { class: "week", role: "grid", "aria-label": t("calendar.title") });
  const title = h("span", { class: "week-title", "aria-live": "polite" });

  const render = async () => {
    const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(monday, i));
    title.textContent = `${formatDay(days[0]!, language())} – ${formatDay(days[6]!, language())}`;
    // A generous UTC window; entries are placed by their local date in the operator's zone.
    const from = new Date(`${days[0]}T00:00:00Z`).getTime() - 14 * 3_600_000;
    const to = new Date(`${days[6]}T00:00:00Z`).getTime() + 38 * 3_600_000;
    const entries = await api<CalendarEntry[]>("GET", `/api/appointments?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}&operatorId=${encodeURIComponent(operatorId)}`);
    const hours = Array.from({ length: (lastHour - firstHour) * 2 }, (_, i) => addMinutes(`${String(firstHour).padStart(2, "0")}:00`, i * 30));
    replace(grid,
      h("div", { class: "week-head", role: "row" }, h("div", { class: "time-col" }), days.map((d) => h("div", { role: "columnheader", class: "day-head" }, formatDay(d, language())))),
      h("div", { class: "week-body" },
        h("div", { class: "time-col" }, hours.map((time) => h("div", { class: "time-label", style: `height:${cellHeight}px` }, time.endsWith(":00") ? time : ""))),
        days.map((day) => {
          const column = h("div", { class: "day-col", "data-date": day },
            hours.map((time) => h("div", { class: "slot", role: "gridcell", tabindex: -1, "data-date": day, "data-time": time, style: `height:${cellHeight}px`, "aria-label": `${formatDay(day, language())} ${time}` })));
          for (const entry of entries) {
            const start = localParts(entry.start, zone);
            if (start.date !== day) continue;
            const end = localParts(entry.end, zone);
            const top = ((start.hour - firstHour) * 60 + start.minute) / 30 * cellHeight;
            const minutes = (new Date(entry.end).getTime() - new Date(entry.start).getTime()) / 60_000;
            column.append(h("button", {
              type: "button", class: `event ${entry.type}`, style: `top:${Math.max(0, top)}px;height:${Math.max(cellHeight, minutes / 30 * cellHeight) - 2}px`,
              "data-appointment": entry.id, title: `${entry.caseName} ${start.time}–${end.time}`,
              onclick: () => openEditDialog(ctx, entry, zone, render),
            }, h("strong", {}, entry.caseName), h("span", {}, ` ${start.time}–${end.time}`)));
          }
          return column;
        })));
  };

  grid.addEventListener("dblclick", (event) => {
    const slot = (event.target as Element).closest(".slot") as HTMLElement | null;
    if (!slot) return;
    openNewAppointmentDialog(ctx, slot.dataset.date!, slot.dataset.time!, operatorId, render);
  });
  grid.addEventListener("keydown", (event) => {
    const slot = (event.target as Element).closest(".slot") as HTMLElement | null;
    if (slot && event.key === "Enter") openNewAppointmentDialog(ctx, slot.dataset.date!, slot.dataset.time!, operatorId, render);
  });

  const operatorSelectId = uid("operator");
  const operatorSelect = isAdmin
    ? h("div", { class: "field inline" }, h("label", { for: operatorSelectId }, t("calendar.operator")),
        h("select", { id: operatorSelectId, onchange: (e: Event) => { operatorId = (e.target as HTMLSelectElement).value; void render(); } },
          operators.filter((o) => o.active).map((o) => h("option", { value: o.id, selected: o.id === operatorId }, o.name))))
    : null;
  await render();
  return h("section", {},
    h("div", { class: "topbar" },
      h("h1", {}, t("calendar.title")),
      h("div", { class: "actions" },
        operatorSelect,
        h("button", { type: "button", class: "secondary", "aria-label": t("calendar.previous"), onclick: () => { monday = addDays(monday, -7); void render(); } }, "‹"),
        title,
        h("button", { type: "button", class: "secondary", "aria-label": t("calendar.next"), onclick: () => { monday = addDays(monday, 7); void render(); } }, "›"),
        h("button", { type: "button", class: "secondary", onclick: () => { monday = mondayOf(localParts(new Date(), zone).date); void render(); } }, t("calendar.today")))),
    h("p", { class: "muted" }, t("calendar.hint")),
    h("div", { class: "card week-card" }, grid));
}

/** Double-click on a free time: pick a case (or create one by name) and schedule an individual meeting. */
function openNewAppointmentDialog(ctx: Context, date: string, start: string, operatorId: string, done: () => Promise<void>): void {
  let chosen: { id: string; email: boolean; phone: boolean } | { name: string } | null = null;
  const searchId = uid("case");
  const search = h("input", { id: searchId, type: "search", autocomplete: "off", placeholder: t("calendar.caseSearch"), role: "combobox", "aria-expanded": "false", "aria-controls": `${searchId}-options` });
  const options = h("ul", { id: `${searchId}-options`, class: "options", role: "listbox" });
  const chosenLabel = h("p", { class: "chosen", "aria-live": "polite" });
  const fields = appointmentFields(ctx.me, { date, start, end: addMinutes(start, 30), type: "individual" },
    () => chosen && "id" in chosen ? { email: chosen.email, phone: chosen.phone } : { email: false, phone: false }, { allowGroup: false });
  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const caseError = h("div", { class: "field-error", hidden: true });

  const choose = (value: typeof chosen, label: string) => {
    chosen = value;
    chosenLabel.textContent = label;
    replace(options);
    search.setAttribute("aria-expanded", "false");
    fields.refresh();
  };
  let timer: number | undefined;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    const text = search.value.trim();
    timer = window.setTimeout(async () => {
      if (!text) { replace(options); return; }
      const page = await api<CasePage>("GET", `/api/cases?limit=6&q=${encodeURIComponent(text)}`);
      replace(options,
        page.items.map((c) => h("li", { role: "option" }, h("button", { type: "button", class: "link", onclick: () => choose({ id: c.id, email: !!c.email, phone: false }, `${c.name} #${c.number}`) }, `${c.name} #${c.number}`))),
        h("li", { role: "option" }, h("button", { type: "button", class: "link", onclick: () => choose({ name: text }, t("calendar.createCase", { name: text })) }, t("calendar.createCase", { name: text }))));
      search.setAttribute("aria-expanded", "true");
    }, 200);
  });

  const form = h("form", { novalidate: true },
    h("h2", {}, t("calendar.newAppointment")),
    alert,
    h("div", { class: "field" }, h("label", { for: searchId }, t("calendar.case")), search, options, chosenLabel, caseError),
    fields.element,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("appointments.save")), h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("appointments.close"))));
  const dialog = h("dialog", { class: "modal" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fields.clearErrors();
    caseError.hidden = true;
    if (!chosen) {
      caseError.hidden = false;
      caseError.textContent = t("calendar.chooseCase");
      search.focus();
      return;
    }
    const body = { ...fields.body(), type: "individual", operatorIds: [operatorId] };
    try {
      if ("id" in chosen) await api("POST", `/api/cases/${chosen.id}/appointments`, body);
      else await api("POST", "/api/appointments", { case: { name: chosen.name }, ...body });
      dialog.close();
      await done();
    } catch (error) {
      showProblem(error, alert, (name, message) => fields.showError(name, message));
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  search.focus();
}

/** Click on an appointment: move it to another day or time, cancel it, or open its case. */
async function openEditDialog(ctx: Context, entry: CalendarEntry, zone: string, done: () => Promise<void>): Promise<void> {
  const appointment = await api<Appointment>("GET", `/api/appointments/${entry.id}`);
  const start = localParts(appointment.start, zone);
  const end = localParts(appointment.end, zone);
  const ids = { date: uid("date"), start: uid("start"), end: uid("end") };
  const date = h("input", { id: ids.date, type: "date", value: start.date });
  const s = h("input", { id: ids.start, type: "time", value: start.time, step: 300 });
  const e = h("input", { id: ids.end, type: "time", value: end.time, step: 300 });
  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const form = h("form", { novalidate: true },
    h("h2", {}, t("calendar.editAppointment"), ": ", entry.caseName),
    alert,
    h("div", { class: "form-row" },
      h("div", { class: "field" }, h("label", { for: ids.date }, t("appointments.date")), date),
      h("div", { class: "field" }, h("label", { for: ids.start }, t("appointments.start")), s),
      h("div", { class: "field" }, h("label", { for: ids.end }, t("appointments.end")), e)),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("appointments.reschedule")),
      h("button", { type: "button", class: "danger", onclick: async () => {
        const reason = prompt(t("appointments.cancelReason"));
        if (reason === null) return;
        try {
          await api("POST", `/api/appointments/${entry.id}/cancel`, { reason: reason || null });
          dialog.close();
          await done();
        } catch (error) {
          showProblem(error, alert, () => false);
        }
      } }, t("appointments.cancel")),
      h("a", { href: `/cases/${entry.caseId}`, "data-link": true, class: "button secondary", onclick: () => dialog.close() }, t("calendar.openCase")),
      h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("appointments.close"))));
  const dialog = h("dialog", { class: "modal" }, form);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PATCH", `/api/appointments/${entry.id}`, { start: `${date.value}T${s.value}`, end: `${date.value}T${e.value}`, timeZone: zone });
      dialog.close();
      await done();
    } catch (error) {
      showProblem(error, alert, () => false);
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  void ctx;
}
