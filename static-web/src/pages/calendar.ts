import { api, type Appointment, type CalendarEntry, type CaseDetail, type CasePage, type Operator } from "../api";
import { appointmentFields } from "../appointmentFields";
import { h, replace, uid } from "../dom";
import { t, uiLocale } from "../i18n";
import type { Context } from "../main";
import { appointmentActions } from "../appointmentActions";
import { addDays, addMinutes, formatClock, formatDay, formatRange, localParts, mondayOf } from "../time";
import { showProblem } from "./cases";

const firstHour = 6;
const lastHour = 22;
const cellHeight = 24; // px per half hour

/**
 * Week view in the viewer's time zone. An operator sees their own appointments; an administrator sees everyone's
 * side by side by default (a filter picks one operator): overlapping appointments share the day column in lanes and
 * carry their operators' names. Today is marked and a line shows the current time.
 */
export async function calendarPage(ctx: Context): Promise<Node> {
  const zone = ctx.me.operator?.timeZone ?? ctx.me.account.timeZone;
  const isAdmin = ctx.me.operator?.role === "administrator";
  const operators = await api<Operator[]>("GET", "/api/operators");
  const names = new Map(operators.map((o) => [o.id, o.name]));
  const colour = new Map(operators.map((o, i) => [o.id, i % 6]));
  const everyone = "";
  let operatorId = isAdmin ? everyone : ctx.me.operator?.id ?? operators[0]?.id ?? "";
  let monday = mondayOf(localParts(new Date(), zone).date);
  const grid = h("div", { class: "week", role: "grid", "aria-label": t("calendar.title") });
  const title = h("span", { class: "week-title", "aria-live": "polite" });
  const locale = uiLocale();

  /** The now-line in today's column, moved every minute; nothing when today is not in the week shown. */
  const placeNow = () => {
    grid.querySelectorAll(".now-line").forEach((l) => l.remove());
    const now = localParts(new Date(), zone);
    const column = grid.querySelector(`.day-col[data-date='${now.date}']`);
    if (!column || now.hour < firstHour || now.hour >= lastHour) return;
    const top = ((now.hour - firstHour) * 60 + now.minute) / 30 * cellHeight;
    column.append(h("div", { class: "now-line", style: `top:${top}px`, "aria-label": t("calendar.now", { time: formatClock(now.time, locale) }), role: "img" }));
  };

  const render = async () => {
    const days = [0, 1, 2, 3, 4, 5, 6].map((i) => addDays(monday, i));
    const today = localParts(new Date(), zone).date;
    title.textContent = `${formatDay(days[0]!, locale)} – ${formatDay(days[6]!, locale)}`;
    // A generous UTC window; entries are placed by their local date in the viewer's zone.
    const from = new Date(`${days[0]}T00:00:00Z`).getTime() - 14 * 3_600_000;
    const to = new Date(`${days[6]}T00:00:00Z`).getTime() + 38 * 3_600_000;
    const filter = operatorId === everyone ? "" : `&operatorId=${encodeURIComponent(operatorId)}`;
    const entries = await api<CalendarEntry[]>("GET", `/api/appointments?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}${filter}`);
    const hours = Array.from({ length: (lastHour - firstHour) * 2 }, (_, i) => addMinutes(`${String(firstHour).padStart(2, "0")}:00`, i * 30));
    replace(grid,
      h("div", { class: "week-head", role: "row" }, h("div", { class: "time-col" }),
        days.map((d) => h("div", { role: "columnheader", class: d === today ? "day-head today" : "day-head", "aria-current": d === today ? "date" : undefined }, formatDay(d, locale)))),
      h("div", { class: "week-body" },
        h("div", { class: "time-col" }, hours.map((time) => h("div", { class: "time-label", style: `height:${cellHeight}px` }, time.endsWith(":00") ? formatClock(time, locale) : ""))),
        days.map((day) => {
          const column = h("div", { class: day === today ? "day-col today" : "day-col", "data-date": day },
            hours.map((time) => h("div", { class: "slot", role: "gridcell", tabindex: -1, "data-date": day, "data-time": time, style: `height:${cellHeight}px`, "aria-label": `${formatDay(day, locale)} ${formatClock(time, locale)}` })));
          const ofDay = entries.filter((e) => localParts(e.start, zone).date === day).sort((a, b) => a.start.localeCompare(b.start));
          for (const { entry, lane, lanes } of inLanes(ofDay)) {
            const start = localParts(entry.start, zone);
            const top = ((start.hour - firstHour) * 60 + start.minute) / 30 * cellHeight;
            const minutes = (new Date(entry.end).getTime() - new Date(entry.start).getTime()) / 60_000;
            const times = formatRange(entry.start, entry.end, zone, locale);
            const who = operatorId === everyone ? entry.operatorIds.map((id) => names.get(id) ?? id).join(", ") : "";
            const short = minutes <= 30;
            column.append(h("button", {
              type: "button", class: `event ${entry.type}${short ? " short" : ""}${who ? ` op${colour.get(entry.operatorIds[0] ?? "") ?? 0}` : ""}`,
              style: `top:${Math.max(0, top)}px;height:${Math.max(cellHeight, minutes / 30 * cellHeight) - 2}px;left:calc(${(lane / lanes) * 100}% + 2px);width:calc(${100 / lanes}% - 4px)`,
              "data-appointment": entry.id, title: [entry.caseName, times, who].filter(Boolean).join(" · "),
              onclick: () => openEditDialog(entry, zone, render),
            },
            // Short meetings put the time first on one line, so it is never the part cut off.
            short ? [h("span", { class: "event-time" }, times), " ", h("strong", {}, entry.caseName)] : [h("strong", {}, entry.caseName), h("span", { class: "event-time" }, times)],
            who && !short ? h("span", { class: "event-who" }, who) : null));
          }
          return column;
        })));
    placeNow();
  };
  const clock = window.setInterval(placeNow, 60_000);
  document.addEventListener("parley:leave", () => clearInterval(clock), { once: true });

  const openNew = (slot: HTMLElement) =>
    openNewAppointmentDialog(ctx, operators, slot.dataset.date!, slot.dataset.time!, operatorId === everyone ? ctx.me.operator?.id ?? "" : operatorId, render);
  grid.addEventListener("dblclick", (event) => {
    const slot = (event.target as Element).closest(".slot") as HTMLElement | null;
    if (slot) openNew(slot);
  });
  grid.addEventListener("keydown", (event) => {
    const slot = (event.target as Element).closest(".slot") as HTMLElement | null;
    if (slot && event.key === "Enter") openNew(slot);
  });

  const operatorSelectId = uid("operator");
  const operatorSelect = isAdmin
    ? h("div", { class: "field inline" }, h("label", { for: operatorSelectId }, t("calendar.operator")),
        h("select", { id: operatorSelectId, onchange: (e: Event) => { operatorId = (e.target as HTMLSelectElement).value; void render(); } },
          h("option", { value: everyone, selected: true }, t("calendar.everyone")),
          operators.filter((o) => o.active).map((o) => h("option", { value: o.id }, o.name))))
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

/** Overlapping appointments of one day side by side: each gets a lane, and every appointment of a cluster the cluster's lane count. */
function inLanes(entries: CalendarEntry[]): { entry: CalendarEntry; lane: number; lanes: number }[] {
  const placed: { entry: CalendarEntry; lane: number; lanes: number }[] = [];
  let cluster: typeof placed = [];
  let clusterEnd = "";
  const close = () => {
    const lanes = Math.max(1, ...cluster.map((p) => p.lane + 1));
    cluster.forEach((p) => { p.lanes = lanes; });
    cluster = [];
  };
  for (const entry of entries) {
    if (cluster.length > 0 && entry.start >= clusterEnd) close();
    const busy = new Set(cluster.filter((p) => p.entry.end > entry.start).map((p) => p.lane));
    let lane = 0;
    while (busy.has(lane)) lane++;
    const item = { entry, lane, lanes: 1 };
    cluster.push(item);
    placed.push(item);
    clusterEnd = cluster.length === 1 || entry.end > clusterEnd ? entry.end : clusterEnd;
  }
  close();
  return placed;
}

/**
 * Double-click on a free time (seed 000, "with the calendar"): find a case or type a new name and press Enter (or
 * pick "+ Create new case"); a new case gets its e-mail and mobile number right here so the invitation can go out;
 * the assigned operators can be added and removed; then an individual meeting is saved.
 */
function openNewAppointmentDialog(ctx: Context, operators: Operator[], date: string, start: string, operatorId: string, done: () => Promise<void>): void {
  type Chosen = { id: string; email: boolean; phone: boolean } | { name: string };
  let chosen: Chosen | null = null;
  const searchId = uid("case");
  const search = h("input", { id: searchId, type: "search", autocomplete: "off", placeholder: t("calendar.caseSearch"), role: "combobox", "aria-expanded": "false", "aria-controls": `${searchId}-options`, "aria-autocomplete": "list" });
  const options = h("ul", { id: `${searchId}-options`, class: "options", role: "listbox" });
  const chosenLabel = h("p", { class: "chosen", "aria-live": "polite" });
  const ids = { email: uid("email"), phone: uid("phone") };
  const email = h("input", { id: ids.email, name: "email", type: "email", autocomplete: "off" });
  const phone = h("input", { id: ids.phone, name: "phone", type: "tel", autocomplete: "off" });
  const emailError = h("div", { class: "field-error", hidden: true, id: `${ids.email}-error` });
  const phoneError = h("div", { class: "field-error", hidden: true, id: `${ids.phone}-error` });
  const contact = h("div", { class: "form-row new-case-contact", hidden: true },
    h("div", { class: "field" }, h("label", { for: ids.email }, t("case.email")), email, emailError),
    h("div", { class: "field" }, h("label", { for: ids.phone }, t("case.phone")), phone, h("div", { class: "hint" }, t("case.phoneHint")), phoneError));
  const fields = appointmentFields(ctx.me, { date, start, end: addMinutes(start, 30), type: "individual" },
    () => chosen === null ? { email: false, phone: false }
      : "id" in chosen ? { email: chosen.email, phone: chosen.phone }
      : { email: email.value.trim() !== "", phone: phone.value.trim() !== "" }, { allowGroup: false });
  [email, phone].forEach((input) => input.addEventListener("input", () => fields.refresh()));
  const assigned = new Set([operatorId].filter(Boolean));
  const assignedList = h("div", { class: "assigned", role: "group", "aria-label": t("case.assigned") });
  const assignedError = h("div", { class: "field-error", hidden: true });
  const renderAssigned = () => replace(assignedList, operators.filter((o) => o.active).map((o) => {
    const id = uid("op");
    const box = h("input", { id, type: "checkbox", value: o.id, checked: assigned.has(o.id) });
    box.addEventListener("change", () => { if (box.checked) assigned.add(o.id); else assigned.delete(o.id); });
    return h("div", { class: "checkbox" }, box, h("label", { for: id }, o.name));
  }));
  renderAssigned();
  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const caseError = h("div", { class: "field-error", hidden: true, id: `${searchId}-error` });
  search.setAttribute("aria-describedby", caseError.id);

  let generation = 0; // bumped by a choice: a look-up still on its way must not reopen the list
  const choose = async (value: Chosen, label: string) => {
    generation++;
    clearTimeout(timer);
    chosen = value;
    chosenLabel.textContent = label;
    caseError.hidden = true; // a valid choice clears the earlier complaint
    search.removeAttribute("aria-invalid");
    replace(options);
    search.setAttribute("aria-expanded", "false");
    contact.hidden = "id" in value;
    if ("id" in value) {
      // The list row does not carry the mobile number; the case does (and hidden dialog contacts count too).
      const c = await api<CaseDetail>("GET", `/api/cases/${value.id}`);
      chosen = { id: c.id, email: !!c.email || !!c.contactHidden?.channels.includes("email"), phone: !!c.phone || !!c.contactHidden?.channels.includes("sms") };
      c.assignedOperatorIds.forEach((id) => assigned.add(id));
      renderAssigned();
    } else {
      email.focus();
    }
    fields.refresh();
  };
  const createOption = (text: string) => h("li", { role: "option", "data-create": "true" },
    h("button", { type: "button", class: "link", onclick: () => void choose({ name: text }, t("calendar.createCase", { name: text })) }, t("calendar.createCase", { name: text })));
  let found: CasePage["items"] = [];
  let timer: number | undefined;
  const lookUp = async (text: string) => {
    const asked = generation;
    found = text ? (await api<CasePage>("GET", `/api/cases?limit=6&q=${encodeURIComponent(text)}`)).items : [];
    if (search.value.trim() !== text || asked !== generation) return; // typed on, or chosen, meanwhile
    replace(options, text ? [
      ...found.map((c) => h("li", { role: "option" }, h("button", { type: "button", class: "link", onclick: () => void choose({ id: c.id, email: !!c.email, phone: false }, `${c.name} #${c.number}`) }, `${c.name} #${c.number}`))),
      createOption(text)] : []);
    search.setAttribute("aria-expanded", String(text !== ""));
  };
  search.addEventListener("input", () => {
    clearTimeout(timer);
    const text = search.value.trim();
    timer = window.setTimeout(() => void lookUp(text), 200);
  });
  // Enter in the search field takes the case of that exact name, else creates a new one with it (seed step 3).
  search.addEventListener("keydown", (event) => {
    if (event.key !== "Enter") return;
    event.preventDefault();
    const text = search.value.trim();
    if (!text) return;
    clearTimeout(timer);
    const same = found.find((c) => c.name.toLowerCase() === text.toLowerCase());
    void (same ? choose({ id: same.id, email: !!same.email, phone: false }, `${same.name} #${same.number}`) : choose({ name: text }, t("calendar.createCase", { name: text })));
  });

  const form = h("form", { novalidate: true },
    h("h2", {}, t("calendar.newAppointment")),
    alert,
    h("div", { class: "field" }, h("label", { for: searchId }, t("calendar.case")), search, options, chosenLabel, caseError),
    contact,
    fields.element,
    h("div", { class: "field" }, h("span", { class: "label" }, t("case.assigned")), assignedList, assignedError),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("appointments.save")), h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("appointments.close"))));
  const dialog = h("dialog", { class: "modal" }, form);
  const showError = (name: string, message: string): boolean => {
    const target = name === "case.email" || name === "email" ? emailError : name === "case.phone" || name === "phone" ? phoneError
      : name.endsWith("operatorIds") || name.endsWith("assignedOperatorIds") ? assignedError : null;
    if (target) {
      target.hidden = false;
      target.textContent = message;
      return true;
    }
    return fields.showError(name, message);
  };
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    fields.clearErrors();
    alert.hidden = true;
    [caseError, emailError, phoneError, assignedError].forEach((e) => { e.hidden = true; });
    if (!chosen) {
      caseError.hidden = false;
      caseError.textContent = t("calendar.chooseCase");
      search.setAttribute("aria-invalid", "true");
      search.focus();
      return;
    }
    const operatorIds = [...assigned];
    const body = { ...fields.body(), type: "individual", operatorIds };
    try {
      if ("id" in chosen) await api("POST", `/api/cases/${chosen.id}/appointments`, body);
      else await api("POST", "/api/appointments", { case: { name: chosen.name, email: email.value.trim() || null, phone: phone.value.trim() || null, assignedOperatorIds: operatorIds }, ...body });
      dialog.close();
      await done();
    } catch (error) {
      showProblem(error, alert, showError);
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  search.focus();
}

/** Click on an appointment: move it, resend the invitations, cancel it (asking why), or open its case. */
async function openEditDialog(entry: CalendarEntry, zone: string, done: () => Promise<void>): Promise<void> {
  const appointment = await api<Appointment>("GET", `/api/appointments/${entry.id}`);
  const start = localParts(appointment.start, zone);
  const end = localParts(appointment.end, zone);
  const ids = { date: uid("date"), start: uid("start"), end: uid("end") };
  const date = h("input", { id: ids.date, type: "date", value: start.date });
  const s = h("input", { id: ids.start, type: "time", value: start.time, step: 300 });
  const e = h("input", { id: ids.end, type: "time", value: end.time, step: 300 });
  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const message = h("div", { role: "status" });
  const individual = appointment.type === "individual";
  const actions = appointmentActions(entry.id, { message, alert });
  const form = h("form", { novalidate: true },
    h("h2", {}, t("calendar.editAppointment"), ": ", entry.caseName),
    alert, message,
    h("div", { class: "form-row" },
      h("div", { class: "field" }, h("label", { for: ids.date }, t("appointments.date")), date),
      h("div", { class: "field" }, h("label", { for: ids.start }, t("appointments.start")), s),
      h("div", { class: "field" }, h("label", { for: ids.end }, t("appointments.end")), e)),
    h("div", { class: "actions" },
      h("button", { type: "submit" }, t("appointments.reschedule")),
      h("span", { onclick: () => dialog.close() }, actions.join),
      individual ? actions.resend : null,
      actions.cancel(async () => { dialog.close(); await done(); }),
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
}
