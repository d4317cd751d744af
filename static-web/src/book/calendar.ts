import { h, replace } from "../dom";
import { BookError, OfflineError, type Day } from "./api";
import { addDays, bt, dayDate, dayOf, dayString, formatDay, formatMonth, formatTime, weekdayNames } from "./texts";

/**
 * The month view and the day's times, shared by the booking page and the booker's reschedule: one request per
 * visible month (from today to today + daysAhead at most), cached per (key, zone, month) for the page's life.
 */
export interface PickerOptions {
  /** "book" or "manage": the prefix of the element ids. */
  prefix: string;
  /** What the free times depend on besides zone and month (the length, or the booking's token). */
  key: string;
  zone: string;
  daysAhead: number;
  load: (from: string, to: string, zone: string) => Promise<Day[]>;
  onPick: (slot: string, day: string) => void;
}

export interface Picker {
  element: HTMLElement;
  setZone(zone: string): void;
  setKey(key: string): void;
  /** Fresh free times of one day (a 409 answer): replaces the cached ones, shows that day. */
  showDay(day: string, slots: string[]): void;
  focus(): void;
}

type Month = Map<string, string[]>;

export function slotPicker(options: PickerOptions): Picker {
  const p = options.prefix;
  let { zone, key } = options;
  const cache = new Map<string, Promise<Month>>();
  let year = 0;
  let month = 0;
  let days: Month | null = null;
  let selected: string | null = null;
  let generation = 0;

  const today = () => dayOf(new Date(), zone);
  const lastDay = () => addDays(today(), options.daysAhead);
  const monthStart = () => dayString(new Date(Date.UTC(year, month, 1, 12)));
  const monthEnd = () => dayString(new Date(Date.UTC(year, month + 1, 0, 12)));
  const monthKey = () => `${key}|${zone}|${monthStart().slice(0, 7)}`;

  const prev = h("button", { type: "button", id: `${p}-month-prev`, class: "month-nav", "aria-label": bt("month.previous") }, "‹");
  const next = h("button", { type: "button", id: `${p}-month-next`, class: "month-nav", "aria-label": bt("month.next") }, "›");
  const title = h("h2", { id: `${p}-month-title`, class: "month-title", "aria-live": "polite" });
  const grid = h("div", { id: `${p}-days`, class: "month-grid", role: "group", "aria-labelledby": `${p}-month-title` });
  const notice = h("div", { id: `${p}-calendar-status`, class: "calendar-status", role: "status", "aria-live": "polite" });
  const times = h("div", { id: `${p}-times`, class: "times" });
  const element = h("div", { class: "picker" },
    h("div", { class: "month" },
      h("div", { class: "month-head" }, prev, title, next),
      h("div", { class: "weekdays", "aria-hidden": "true" }, weekdayNames().map((name) => h("span", {}, name))),
      grid),
    h("div", { class: "times-column" }, notice, times));

  prev.addEventListener("click", () => move(-1));
  next.addEventListener("click", () => move(1));
  grid.addEventListener("keydown", (event) => arrows(event));

  function setMonth(day: string): void {
    const date = dayDate(day);
    year = date.getUTCFullYear();
    month = date.getUTCMonth();
  }

  function move(by: number): void {
    const date = new Date(Date.UTC(year, month + by, 1, 12));
    year = date.getUTCFullYear();
    month = date.getUTCMonth();
    selected = null;
    void show(false);
  }

  function fetchMonth(): Promise<Month> {
    const cacheKey = monthKey();
    let entry = cache.get(cacheKey);
    if (!entry) {
      const from = monthStart() > today() ? monthStart() : today();
      const to = monthEnd() < lastDay() ? monthEnd() : lastDay();
      entry = from > to ? Promise.resolve(new Map()) : options.load(from, to, zone).then((list) => new Map(list.map((d) => [d.date, d.slots])));
      cache.set(cacheKey, entry);
      entry.catch(() => cache.delete(cacheKey));
    }
    return entry;
  }

  /** Loads and draws the visible month; the first view of a zone or length skips ahead once past an empty month. */
  async function show(skipEmpty: boolean): Promise<void> {
    const mine = ++generation;
    days = null;
    draw();
    replace(notice, h("p", { class: "muted" }, bt("times.loading")));
    replace(times);
    try {
      const loaded = await fetchMonth();
      if (mine !== generation) return;
      if (skipEmpty && loaded.size === 0 && monthEnd() < lastDay()) return move(1);
      days = loaded;
      draw();
      drawTimes();
    } catch (error) {
      if (mine !== generation) return;
      const retry = h("button", { type: "button", class: "secondary", id: `${p}-calendar-retry`, onclick: () => void show(skipEmpty) }, bt("retry"));
      replace(notice, h("div", { class: "alert error", role: "alert" }, h("p", {}, failure(error)), retry));
    }
  }

  function draw(): void {
    title.textContent = formatMonth(year, month);
    prev.disabled = monthStart() <= today();
    next.disabled = monthEnd() >= lastDay();
    const first = dayDate(monthStart());
    const blanks = (first.getUTCDay() + 6) % 7;
    const count = dayDate(monthEnd()).getUTCDate();
    const cells: HTMLElement[] = [];
    for (let i = 0; i < blanks; i++) cells.push(h("span", { class: "day blank", "aria-hidden": "true" }));
    for (let d = 1; d <= count; d++) {
      const day = dayString(new Date(Date.UTC(year, month, d, 12)));
      const free = (days?.get(day)?.length ?? 0) > 0;
      cells.push(h("button", {
        type: "button",
        class: free ? "day free" : "day",
        "data-date": day,
        "data-testid": `day-${day}`,
        disabled: !free,
        "aria-pressed": free ? String(day === selected) : undefined,
        "aria-label": free ? bt("day.free", { date: formatDay(day) }) : formatDay(day),
        onclick: () => choose(day),
      }, String(d)));
    }
    replace(grid, cells);
  }

  function choose(day: string): void {
    selected = day;
    grid.querySelectorAll<HTMLButtonElement>("button.free").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.date === day)));
    drawTimes();
  }

  function drawTimes(): void {
    if (!days) return;
    if (days.size === 0) {
      replace(notice, h("p", { class: "muted" }, bt(next.disabled ? "month.emptyLast" : "month.empty")));
      replace(times);
      return;
    }
    const slots = selected ? days.get(selected) ?? [] : [];
    if (!selected) {
      replace(notice, h("p", { class: "muted" }, bt("times.pick")));
      replace(times);
      return;
    }
    replace(notice);
    const labels = slots.map((slot) => formatTime(slot, zone));
    const heading = h("h3", { id: `${p}-times-title`, tabindex: "-1" }, bt("times.title", { date: formatDay(selected) }));
    replace(times, heading, slots.length === 0
      ? h("p", { class: "muted" }, bt("times.none"))
      : h("ul", { class: "time-list", "aria-labelledby": `${p}-times-title` }, slots.map((slot, i) => {
        // The autumn hour that repeats: the same wall-clock text twice, told apart by the zone's short name.
        const twice = labels.filter((l) => l === labels[i]).length > 1;
        return h("li", {}, h("button", { type: "button", class: "time", "data-slot": slot, "data-testid": `time-${slot}`, onclick: () => options.onPick(slot, selected!) },
          twice ? formatTime(slot, zone, true) : labels[i]!));
      })));
  }

  /** Arrow keys move between the free days (left/right: the previous/next one; up/down: a week back/ahead or the nearest beyond). */
  function arrows(event: KeyboardEvent): void {
    const buttons = [...grid.querySelectorAll<HTMLButtonElement>("button.free")];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (index < 0) return;
    const current = buttons[index]!.dataset.date!;
    let target: HTMLButtonElement | undefined;
    switch (event.key) {
      case "ArrowLeft": target = buttons[index - 1]; break;
      case "ArrowRight": target = buttons[index + 1]; break;
      case "ArrowUp": target = [...buttons].reverse().find((b) => b.dataset.date! <= addDays(current, -7)); break;
      case "ArrowDown": target = buttons.find((b) => b.dataset.date! >= addDays(current, 7)); break;
      default: return;
    }
    event.preventDefault();
    target?.focus();
  }

  function restart(): void {
    selected = null;
    setMonth(today());
    void show(true);
  }

  restart();
  return {
    element,
    setZone(value) {
      if (value === zone) return;
      zone = value;
      restart();
    },
    setKey(value) {
      if (value === key) return;
      key = value;
      restart();
    },
    showDay(day, slots) {
      const cacheKey = `${key}|${zone}|${day.slice(0, 7)}`;
      const fresh = (m: Month) => {
        const copy = new Map(m);
        if (slots.length > 0) copy.set(day, slots);
        else copy.delete(day);
        return copy;
      };
      const mine = ++generation;
      setMonth(day);
      const updated = fetchMonth().then(fresh, () => fresh(new Map()));
      cache.set(cacheKey, updated);
      void updated.then((m) => {
        if (mine !== generation) return;
        days = m;
        selected = day;
        draw();
        drawTimes();
      });
    },
    focus() {
      (grid.querySelector<HTMLButtonElement>('button[aria-pressed="true"]') ?? grid.querySelector<HTMLButtonElement>("button.free") ?? prev).focus();
    },
  };
}

/** One sentence for a failed request the booker can act on. */
export function failure(error: unknown): string {
  if (error instanceof OfflineError) return bt("network");
  if (error instanceof BookError) {
    if (error.problem.status === 429) return bt("tooMany");
    if (error.problem.status >= 500) return bt("busy");
    return Object.values(error.problem.errors ?? {}).flat().join(" ") || error.problem.detail || bt("busy");
  }
  return bt("busy");
}
