/**
 * Dates and times in the operator's time zone (not the browser's). Inputs are sent as wall-clock times
 * ("2026-03-30T10:00") together with the zone, and the server applies the daylight-saving rules.
 */
export interface LocalParts {
  date: string; // YYYY-MM-DD
  time: string; // HH:MM
  hour: number;
  minute: number;
}

export function localParts(iso: string | Date, timeZone: string): LocalParts {
  const d = typeof iso === "string" ? new Date(iso) : iso;
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(d).map((p) => [p.type, p.value]),
  ) as Record<string, string>;
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}`, hour, minute };
}

/** Adds days to a YYYY-MM-DD calendar date (pure date arithmetic, no time zone involved). */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** Monday of the week containing the date. */
export function mondayOf(date: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  const weekday = (new Date(Date.UTC(y, m - 1, d)).getUTCDay() + 6) % 7;
  return addDays(date, -weekday);
}

export function addMinutes(time: string, minutes: number): string {
  const [h, m] = time.split(":").map(Number) as [number, number];
  const total = Math.min(23 * 60 + 59, h * 60 + m + minutes);
  return `${String(Math.floor(total / 60)).padStart(2, "0")}:${String(total % 60).padStart(2, "0")}`;
}

/** Hours as the language writes them: German "09:00" (24-hour, two digits), English by its locale ("9:00 AM" in the US). */
function clock(locale: string): Intl.DateTimeFormatOptions {
  return locale.toLowerCase().startsWith("de") ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" } : { hour: "numeric", minute: "2-digit" };
}

export function formatDateTime(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, weekday: "short", day: "numeric", month: "short", year: "numeric", ...clock(locale) }).format(new Date(iso));
}

export function formatTime(iso: string, timeZone: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone, ...clock(locale) }).format(new Date(iso));
}

/** A wall-clock time "HH:MM" written as the locale writes times ("09:30" in German, "9:30 AM" in US English). */
export function formatClock(time: string, locale: string): string {
  const [hh, mm] = time.split(":").map(Number) as [number, number];
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", ...clock(locale) }).format(new Date(Date.UTC(2000, 0, 1, hh, mm)));
}

/** "start–end" of one appointment in one convention (never "03:00 PM–16:00"). */
export function formatRange(startIso: string, endIso: string, timeZone: string, locale: string): string {
  return `${formatTime(startIso, timeZone, locale)}–${formatTime(endIso, timeZone, locale)}`;
}

export function formatDay(date: string, locale: string): string {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number];
  return new Intl.DateTimeFormat(locale, { timeZone: "UTC", weekday: "short", day: "numeric", month: "numeric" }).format(new Date(Date.UTC(y, m - 1, d)));
}
