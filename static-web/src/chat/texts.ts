import en from "./i18n/en.json";

/**
 * The chat page speaks the seven customer languages. English is in the bundle (the fallback for every text); another
 * language is loaded as a small chunk of its own, as on the booking page.
 */
export type ChatKey = keyof typeof en;
type Catalog = Partial<Record<ChatKey, string>>;
const loaders: Record<string, () => Promise<{ default: Catalog }>> = {
  de: () => import("./i18n/de.json"),
  fr: () => import("./i18n/fr.json"),
  es: () => import("./i18n/es.json"),
  it: () => import("./i18n/it.json"),
  pl: () => import("./i18n/pl.json"),
  nl: () => import("./i18n/nl.json"),
};
const catalogs: Record<string, Catalog> = { en };
let current = "en";

/** The first candidate that is one of the seven languages ("de-AT" counts as "de"), else English. */
export async function useLanguage(...candidates: (string | null | undefined)[]): Promise<void> {
  let next = "en";
  for (const candidate of candidates) {
    const short = (candidate ?? "").slice(0, 2).toLowerCase();
    if (short === "en" || loaders[short]) {
      next = short;
      break;
    }
  }
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

export function chatLanguage(): string {
  return current;
}

export function ct(key: ChatKey, params: Record<string, string | number> = {}): string {
  const text = catalogs[current]?.[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => (params[name] === undefined ? `{${name}}` : String(params[name])));
}

const timeFormat = new Map<string, Intl.DateTimeFormat>();
/** "14:05" (or "2:05 PM") in the visitor's own zone and the page language. */
export function formatTime(iso: string): string {
  let f = timeFormat.get(current);
  if (!f) timeFormat.set(current, (f = new Intl.DateTimeFormat(current, { hour: "2-digit", minute: "2-digit" })));
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? "" : f.format(date);
}
