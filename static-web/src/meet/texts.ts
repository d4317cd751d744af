import en from "./i18n/en.json";
import de from "./i18n/de.json";
import fr from "./i18n/fr.json";
import es from "./i18n/es.json";
import it from "./i18n/it.json";
import pl from "./i18n/pl.json";
import nl from "./i18n/nl.json";

/** The meeting page speaks the appointment's language: all seven customer languages (the dashboard has its own catalogs). */
export type MeetKey = keyof typeof en;
const catalogs: Record<string, Partial<Record<MeetKey, string>>> = { en, de, fr, es, it, pl, nl };
export const meetLanguages = Object.keys(catalogs);

let current = "en";

export function useMeetLanguage(code: string): void {
  const short = (code || "en").slice(0, 2).toLowerCase();
  current = catalogs[short] ? short : "en";
  document.documentElement.lang = current;
}

export function meetLanguage(): string {
  return current;
}

export function mt(key: MeetKey, params: Record<string, string> = {}): string {
  const text = catalogs[current]?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
}

/** A time in the viewer's own time zone (detected by the browser), in the page's language. */
export function formatTime(iso: string, options: Intl.DateTimeFormatOptions = { hour: "2-digit", minute: "2-digit" }): string {
  return new Intl.DateTimeFormat(current, options).format(new Date(iso));
}

export function viewerZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "Tuesday, 1 December 2026, 10:00–10:30 (Europe/Berlin)" in the viewer's zone. */
export function formatWindow(start: string, end: string): string {
  return mt("when", {
    date: formatTime(start, { weekday: "long", day: "numeric", month: "long", year: "numeric" }),
    start: formatTime(start),
    end: formatTime(end),
    zone: viewerZone(),
  });
}
