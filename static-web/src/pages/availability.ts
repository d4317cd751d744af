import { api, type Availability, type Operator, type Weekday, weekdays, type WorkingInterval } from "../api";
import { h, replace, uid } from "../dom";
import { copyLinkControl, errorSlot, form, markControl, timeZoneList, type Values } from "../forms";
import { t, type TextKey } from "../i18n";
import type { Context } from "../main";
import { problemText } from "../problems";
import { settingsTabs } from "./shell";

/** Meeting lengths offered as chips; lengths saved earlier (set through the API) are shown too. */
const standardLengths = [15, 30, 45, 60, 90];
const maxIntervals = 6;
const dayName = (day: Weekday) => t(`availability.day.${day}` as TextKey);

/**
 * Settings › Booking page: the operator's own booking page (docs/booking.md) — published or not, its address, working
 * hours, date overrides, meeting lengths and rules. Administrators pick any operator. Saved with one PUT; the server's
 * field errors (`weekly.monday`, `overrides[0].date`, `handle`, …) show at their controls through the form's slots.
 */
export async function availabilityPage(ctx: Context): Promise<Node> {
  const me = ctx.me.operator;
  if (!me) return h("p", {}, "");
  const editor = h("div", { class: "availability" });
  const load = async (operatorId: string) => {
    replace(editor, h("p", { class: "loading" }, t("common.loading")));
    try {
      const availability = await api<Availability>("GET", `/api/operators/${encodeURIComponent(operatorId)}/availability`);
      replace(editor, availabilityForm(operatorId, availability));
    } catch (error) {
      replace(editor, h("div", { class: "alert error", role: "alert" }, problemText(error)));
    }
  };

  let picker: HTMLElement | null = null;
  if (me.role === "administrator") {
    const operators = await api<Operator[]>("GET", "/api/operators");
    const id = uid("availability-operator");
    const select = h("select", { id, onchange: () => void load(select.value) },
      operators.filter((o) => o.active || o.id === me.id).map((o) => h("option", { value: o.id, selected: o.id === me.id }, o.id === me.id ? `${o.name} (${t("common.you")})` : o.name)));
    picker = h("div", { class: "field availability-operator" }, h("label", { for: id }, t("availability.operator")), select);
  }
  await load(me.id);

  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/booking"),
    h("div", { class: "card" },
      h("h2", {}, t("availability.title")),
      h("p", { class: "muted" }, t("availability.intro")),
      picker,
      editor));
}

function availabilityForm(operatorId: string, saved: Availability): HTMLElement {
  // The editors change these copies; the form sends them as they are when saved.
  const weekly = Object.fromEntries(weekdays.map((d) => [d, (saved.weekly[d] ?? []).map((i) => ({ ...i }))])) as Record<Weekday, WorkingInterval[]>;
  const overrides = saved.overrides.map((o) => ({ date: o.date, off: o.intervals.length === 0, intervals: o.intervals.map((i) => ({ ...i })) }));
  const lengths = new Set(saved.lengths);
  const noticeInHours = saved.minimumNotice >= 60 && saved.minimumNotice % 60 === 0;
  const zones = uid("availability-zones");

  const week = h("div", { class: "week-hours" }, weekdays.map((day) =>
    h("fieldset", { class: "day-hours", "data-day": day }, h("legend", {}, dayName(day)), intervalsEditor(weekly[day], `weekly.${day}`, dayName(day)))));

  const overrideList = h("div", { class: "overrides" });
  /** Redraws every row (their field names follow their positions); `focus`: the new row's date, or a row's kind. */
  const drawOverrides = (focus?: "last" | number) => {
    replace(overrideList, overrides.length === 0 ? h("p", { class: "muted", "data-none": true }, t("availability.noOverrides")) : overrides.map((o, i) => overrideRow(o, i, () => {
      overrides.splice(i, 1);
      drawOverrides();
      addOverride.focus();
    }, () => drawOverrides(i))));
    if (focus === "last") overrideList.querySelector<HTMLInputElement>(".override:last-child input[type=date]")?.focus();
    else if (focus !== undefined) overrideList.querySelector<HTMLSelectElement>(`[data-override="${focus}"] select`)?.focus();
  };
  const addOverride = h("button", { type: "button", class: "secondary small", onclick: () => {
    overrides.push({ date: "", off: true, intervals: [] });
    drawOverrides("last");
  } }, t("availability.addOverride"));
  drawOverrides();
  const overridesSlot = errorSlot("overrides");

  const lengthsSlot = errorSlot("lengths");
  const chips = h("fieldset", { class: "chips", "aria-describedby": lengthsSlot.id }, h("legend", {}, t("availability.lengths")),
    [...new Set([...standardLengths, ...saved.lengths])].sort((a, b) => a - b).map((minutes) => {
      const input = markControl(h("input", { type: "checkbox", value: String(minutes), checked: lengths.has(minutes), onchange: () => {
        if (input.checked) lengths.add(minutes);
        else lengths.delete(minutes);
      } }), "lengths");
      return h("label", { class: "chip" }, input, t("availability.minutes", { n: String(minutes) }));
    }), lengthsSlot);

  const published = h("div", { class: "booking-link" });
  const showPublished = (url: string | null) => replace(published, url
    ? [h("span", {}, t("availability.publishedAt"), " ", h("a", { href: url, target: "_blank", rel: "noopener" }, url)), copyLinkControl(url, t("availability.title"))]
    : []);
  showPublished(saved.bookingUrl);

  const whole = (name: string, value: string | boolean | undefined, errors: Record<string, string>, allowEmpty = false) => {
    const text = String(value ?? "").trim();
    if (allowEmpty && text === "") return;
    if (!/^\d+$/.test(text)) errors[name] = t("availability.wholeNumber");
  };

  const el = form({
    fields: [
      { name: "enabled", label: t("availability.enabled"), type: "checkbox", value: saved.enabled, hint: t("availability.enabledHint") },
      { name: "handle", label: t("availability.handle"), value: saved.handle, maxLength: 40, autocomplete: "off", hint: urlHint(saved.handle ?? "") },
      { name: "timeZone", label: t("availability.timeZone"), required: true, value: saved.timeZone, list: zones },
      { name: "weekly", label: "", type: "custom", content: week, group: { title: t("availability.weekly"), note: t("availability.weeklyHint") } },
      { name: "overrides", label: "", type: "custom", content: h("div", {}, overrideList, overridesSlot, h("div", { class: "actions" }, addOverride)),
        group: { title: t("availability.overrides"), note: t("availability.overridesHint") } },
      { name: "lengths", label: "", type: "custom", content: chips, group: { title: t("availability.rules") } },
      { name: "increment", label: t("availability.increment"), type: "number", min: 5, max: 720, value: String(saved.increment), hint: t("availability.incrementHint") },
      { name: "bufferBefore", label: t("availability.bufferBefore"), type: "number", min: 0, max: 240, value: String(saved.bufferBefore) },
      { name: "bufferAfter", label: t("availability.bufferAfter"), type: "number", min: 0, max: 240, value: String(saved.bufferAfter) },
      { name: "minimumNotice", label: t("availability.minimumNotice"), type: "number", min: 0, value: String(noticeInHours ? saved.minimumNotice / 60 : saved.minimumNotice), hint: t("availability.minimumNoticeHint") },
      { name: "noticeUnit", label: t("availability.noticeUnit"), type: "select", value: noticeInHours ? "hours" : "minutes",
        options: [{ value: "minutes", label: t("availability.unit.minutes") }, { value: "hours", label: t("availability.unit.hours") }] },
      { name: "daysAhead", label: t("availability.daysAhead"), type: "number", min: 1, max: 730, value: String(saved.daysAhead) },
      { name: "maxPerDay", label: t("availability.maxPerDay"), type: "number", min: 1, max: 100, value: saved.maxPerDay === null ? "" : String(saved.maxPerDay), hint: t("availability.maxPerDayHint") },
    ],
    submit: t("common.save"),
    validate: (v: Values) => {
      const errors: Record<string, string> = {};
      for (const name of ["increment", "bufferBefore", "bufferAfter", "minimumNotice", "daysAhead"]) whole(name, v[name], errors);
      whole("maxPerDay", v.maxPerDay, errors, true);
      if (lengths.size === 0) errors.lengths = t("availability.lengthsNeeded");
      return errors;
    },
    onSubmit: async (v: Values) => {
      const notice = Number(v.minimumNotice) * (v.noticeUnit === "hours" ? 60 : 1);
      const maxPerDay = String(v.maxPerDay).trim();
      const answer = await api<Availability>("PUT", `/api/operators/${encodeURIComponent(operatorId)}/availability`, {
        enabled: v.enabled === true,
        handle: String(v.handle).trim().toLowerCase(),
        timeZone: String(v.timeZone).trim(),
        weekly,
        overrides: overrides.map((o) => ({ date: o.date, intervals: o.off ? [] : o.intervals })),
        lengths: [...lengths].sort((a, b) => a - b),
        increment: Number(v.increment),
        bufferBefore: Number(v.bufferBefore),
        bufferAfter: Number(v.bufferAfter),
        minimumNotice: notice,
        daysAhead: Number(v.daysAhead),
        // Empty: no limit, which the API spells 0 (leaving it out would keep the current cap).
        maxPerDay: maxPerDay === "" ? 0 : Number(maxPerDay),
      });
      showPublished(answer.bookingUrl);
      return answer.enabled ? t("availability.savedPublished") : t("availability.savedUnpublished");
    },
  });

  // The publish control is a switch; the address shows the page's URL as it is typed.
  const enabled = el.querySelector<HTMLInputElement>("input[name=enabled]")!;
  enabled.setAttribute("role", "switch");
  const handle = el.querySelector<HTMLInputElement>("input[name=handle]")!;
  const hint = el.querySelector<HTMLElement>(`#${CSS.escape(handle.getAttribute("aria-describedby")!.split(" ")[0]!)}`)!;
  hint.classList.add("booking-url");
  handle.setAttribute("spellcheck", "false");
  handle.addEventListener("input", () => { hint.textContent = urlHint(handle.value); });
  handle.closest(".field")!.append(published);
  return h("div", {}, timeZoneList(zones), el);
}

function urlHint(handle: string): string {
  const clean = handle.trim().toLowerCase();
  return t("availability.handleHint", { url: `${location.origin}/book/${clean === "" ? "…" : clean}` });
}

/** One day's intervals (a weekday or a date override): 0–6 rows of start and end, added and removed with buttons. */
function intervalsEditor(list: WorkingInterval[], field: string, label: string): HTMLElement {
  const rows = h("div", { class: "intervals" });
  const slot = errorSlot(field);
  const add = h("button", { type: "button", class: "secondary small add-interval", "aria-label": t("availability.addIntervalFor", { day: label }) }, t("availability.addInterval"));
  const draw = (focus?: number) => {
    add.disabled = list.length >= maxIntervals;
    if (list.length === 0) {
      replace(rows, h("span", { class: "muted unavailable" }, t("availability.unavailable")));
      return;
    }
    replace(rows, list.map((interval, i) => {
      const n = String(i + 1);
      const start = markControl(h("input", { type: "time", value: interval.start, required: true, "aria-label": t("availability.start", { day: label, n }),
        oninput: () => { interval.start = start.value; } }), field, slot);
      const end = markControl(h("input", { type: "time", value: interval.end, required: true, "aria-label": t("availability.end", { day: label, n }),
        oninput: () => { interval.end = end.value; } }), field, slot);
      return h("div", { class: "interval" }, start, h("span", { "aria-hidden": "true" }, "–"), end,
        h("button", { type: "button", class: "secondary small", "aria-label": t("availability.removeIntervalFor", { day: label, n }), onclick: () => {
          list.splice(i, 1);
          draw();
          add.focus();
        } }, t("availability.removeInterval")));
    }));
    if (focus !== undefined) rows.querySelectorAll<HTMLInputElement>("input")[focus * 2]?.focus();
  };
  add.addEventListener("click", () => {
    // A new interval starts where the last one ended (or at nine), one hour long (at most until 23:59).
    const start = list[list.length - 1]?.end || "09:00";
    const [hh = 9, mm = 0] = start.split(":").map(Number);
    const end = Math.min(hh * 60 + mm + 60, 23 * 60 + 59);
    list.push({ start, end: `${String(Math.floor(end / 60)).padStart(2, "0")}:${String(end % 60).padStart(2, "0")}` });
    draw(list.length - 1);
  });
  draw();
  return h("div", { class: "intervals-editor" }, rows, h("div", { class: "actions" }, add), slot);
}

type OverrideState = { date: string; off: boolean; intervals: WorkingInterval[] };

/** A date with other hours than usual: a day off, or its own intervals. */
function overrideRow(o: OverrideState, index: number, remove: () => void, redraw: () => void): HTMLElement {
  const dateId = uid("override-date");
  const kindId = uid("override-kind");
  const dateSlot = errorSlot(`overrides[${index}].date`);
  const date = markControl(h("input", { id: dateId, type: "date", value: o.date, required: true, oninput: () => { o.date = date.value; } }), `overrides[${index}].date`, dateSlot);
  const label = o.date === "" ? t("availability.overrideDate") : o.date;
  const kind = h("select", { id: kindId, onchange: () => {
    o.off = kind.value === "off";
    if (!o.off && o.intervals.length === 0) o.intervals.push({ start: "09:00", end: "17:00" });
    redraw();
  } },
  h("option", { value: "off", selected: o.off }, t("availability.dayOff")),
  h("option", { value: "hours", selected: !o.off }, t("availability.ownHours")));
  return h("div", { class: "override", "data-override": index },
    h("div", { class: "override-head" },
      h("div", { class: "field" }, h("label", { for: dateId }, t("availability.overrideDate")), date, dateSlot),
      h("div", { class: "field" }, h("label", { for: kindId }, t("availability.overrideKind")), kind),
      h("button", { type: "button", class: "danger small", "aria-label": o.date === "" ? undefined : t("availability.removeOverrideFor", { date: o.date }), onclick: remove }, t("availability.removeOverride"))),
    o.off ? errorSlot(`overrides[${index}].intervals`) : intervalsEditor(o.intervals, `overrides[${index}].intervals`, label));
}
