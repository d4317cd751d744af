import en from "./i18n/en.json";

/**
 * The booking and manage pages speak all seven customer languages (the dashboard has its own catalogs). English is
 * in the bundle (the fallback for every text); the page's own language is loaded as a small chunk of its own, so the
 * page does not carry six catalogs it does not show.
 */
export type BookKey = keyof typeof en;
type Catalog = Partial<Record<BookKey, string>>;
const loaders: Record<string, () => Promise<{ default: Catalog }>> = {
  de: () => import("./i18n/de.json"),
  fr: () => import("./i18n/fr.json"),
  es: () => import("./i18n/es.json"),
  it: () => import("./i18n/it.json"),
  pl: () => import("./i18n/pl.json"),
  nl: () => import("./i18n/nl.json"),
};
const catalogs: Record<string, Catalog> = { en };

/** The seven languages with their own names (a German speaker looks for "Deutsch"). */
export const languageNames: Record<string, string> = { de: "Deutsch", en: "English", fr: "Français", es: "Español", it: "Italiano", pl: "Polski", nl: "Nederlands" };

let current = "en";

/** The first of the candidates that is one of the seven languages ("de-AT" counts as "de"), else null. */
export function supported(...candidates: (string | null | undefined)[]): string | null {
  for (const candidate of candidates) {
    const short = (candidate ?? "").slice(0, 2).toLowerCase();
    if (languageNames[short]) return short;
  }
  return null;
}

/** Switches the page's language (loading its catalog once; English stays when that fails). */
export async function useLanguage(code: string): Promise<void> {
  let next = supported(code) ?? "en";
  if (!catalogs[next]) {
    try {
      catalogs[next] = (await loaders[next]!()).default;
    } catch {
      next = "en";
    }
  }
  current = next;
  document.documentElement.lang = current;
}

export function pageLanguage(): string {
  return current;
}

export function bt(key: BookKey, params: Record<string, string> = {}): string {
  const text = catalogs[current]?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
}

export function viewerZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(zone: string, options: Intl.DateTimeFormatOptions, locale = current): Intl.DateTimeFormat {
  const key = `${locale}|${zone}|${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) formatters.set(key, (f = new Intl.DateTimeFormat(locale, { ...options, timeZone: zone })));
  return f;
}

/** "09:30" (or "9:30 AM") in the given zone and the page language; with the zone's short name when asked. */
export function formatTime(iso: string, zone: string, withZone = false): string {
  return formatter(zone, withZone ? { hour: "2-digit", minute: "2-digit", timeZoneName: "short" } : { hour: "2-digit", minute: "2-digit" }).format(new Date(iso));
}

/** "Wednesday, 2 December 2026" for a day "2026-12-02" (a calendar day, no zone involved). */
export function formatDay(day: string): string {
  return formatter("UTC", { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(dayDate(day));
}

/** "Wednesday, 2 December 2026, 09:30–10:00 (Europe/Berlin)" in the given zone. */
export function formatWindow(start: string, end: string, zone: string): string {
  return bt("when", {
    date: formatter(zone, { weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(new Date(start)),
    start: formatTime(start, zone),
    end: formatTime(end, zone),
    zone: zone.replace(/_/g, " "),
  });
}

/** "December 2026" in the page language. */
export function formatMonth(year: number, month: number): string {
  return formatter("UTC", { month: "long", year: "numeric" }).format(new Date(Date.UTC(year, month, 15)));
}

/** Short weekday names Monday … Sunday in the page language (1 January 2024 was a Monday). */
export function weekdayNames(): string[] {
  const f = formatter("UTC", { weekday: "short" });
  return [0, 1, 2, 3, 4, 5, 6].map((i) => f.format(new Date(Date.UTC(2024, 0, 1 + i))));
}

/** The calendar day ("yyyy-MM-dd") of an instant in a zone. */
export function dayOf(instant: Date, zone: string): string {
  const parts = formatter(zone, { year: "numeric", month: "2-digit", day: "2-digit" }, "en-US").formatToParts(instant);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${part("year")}-${part("month")}-${part("day")}`;
}

/** Noon UTC of a day: safe for day arithmetic and for formatting the day itself. */
export function dayDate(day: string): Date {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, d!, 12));
}

export function dayString(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const date = dayDate(day);
  date.setUTCDate(date.getUTCDate() + days);
  return dayString(date);
}
