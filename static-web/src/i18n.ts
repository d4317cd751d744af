import en from "./i18n/en.json";
import de from "./i18n/de.json";

/** UI strings are data: one JSON file per language, English is the fallback and the key list. */
export type TextKey = keyof typeof en;
const catalogs: Record<string, Partial<Record<TextKey, string>>> = { en, de };
export const uiLanguages = Object.keys(catalogs);
const storageKey = "parley.language";

let current = pick();

/** Storage can be unavailable (a third-party frame with blocked storage); the language then comes from the browser. */
function stored(): string | null {
  try {
    return localStorage.getItem(storageKey);
  } catch {
    return null;
  }
}

function pick(): string {
  const remembered = stored();
  if (remembered && catalogs[remembered]) return remembered;
  for (const lang of navigator.languages ?? [navigator.language]) {
    const code = lang.slice(0, 2).toLowerCase();
    if (catalogs[code]) return code;
  }
  return "en";
}

export function language(): string {
  return current;
}

export function setLanguage(code: string): void {
  if (!catalogs[code]) return;
  current = code;
  try {
    localStorage.setItem(storageKey, code);
  } catch {
    // not remembered, still used
  }
  document.documentElement.lang = code;
}

/**
 * Uses a language for this page only, without remembering it (the widget frame and the customer's reply page
 * speak the customer's language, which must not change the dashboard's choice). Unknown languages fall back to English.
 */
export function useLanguage(code: string): void {
  const short = code.slice(0, 2).toLowerCase();
  current = catalogs[short] ? short : "en";
  document.documentElement.lang = current;
}

export function t(key: TextKey, params: Record<string, string> = {}): string {
  const text = catalogs[current]?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
}

/**
 * The locale for dates and times: one convention per UI language everywhere. German is always 24-hour; English
 * follows the browser's own English (en-US 12-hour, en-GB 24-hour).
 */
export function uiLocale(): string {
  if (current !== "en") return current;
  const browser = navigator.language ?? "en";
  return browser.toLowerCase().startsWith("en") ? browser : "en";
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(uiLocale(), { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

/** A time of day ("14:30" / "2:30 PM") in the viewer's locale. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(uiLocale(), { timeStyle: "short" }).format(new Date(iso));
}

/** True when the moment falls on the viewer's today. */
export function isToday(iso: string): boolean {
  const d = new Date(iso);
  const now = new Date();
  return d.getFullYear() === now.getFullYear() && d.getMonth() === now.getMonth() && d.getDate() === now.getDate();
}

document.documentElement.lang = current;
