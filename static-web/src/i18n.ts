import en from "./i18n/en.json";
import de from "./i18n/de.json";

/** UI strings are data: one JSON file per language, English is the fallback and the key list. */
export type TextKey = keyof typeof en;
const catalogs: Record<string, Partial<Record<TextKey, string>>> = { en, de };
export const uiLanguages = Object.keys(catalogs);
const storageKey = "parley.language";

let current = pick();

function pick(): string {
  const stored = localStorage.getItem(storageKey);
  if (stored && catalogs[stored]) return stored;
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
  localStorage.setItem(storageKey, code);
  document.documentElement.lang = code;
}

export function t(key: TextKey, params: Record<string, string> = {}): string {
  const text = catalogs[current]?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => params[name] ?? `{${name}}`);
}

export function formatDate(iso: string | null | undefined): string {
  if (!iso) return "";
  return new Intl.DateTimeFormat(current, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso));
}

document.documentElement.lang = current;
