import en from "./i18n/en.json";
import de from "./i18n/de.json";
import fr from "./i18n/fr.json";
import es from "./i18n/es.json";
import it from "./i18n/it.json";
import pl from "./i18n/pl.json";
import nl from "./i18n/nl.json";

/** The adviser's status in the visitor's language, for the dialog button and the frame: all seven customer languages. */
export type PresenceKey = keyof typeof en;
export type AdviserStatus = "online" | "away";
const catalogs: Record<string, Partial<Record<PresenceKey, string>>> = { en, de, fr, es, it, pl, nl };

export function presenceText(language: string, key: PresenceKey): string {
  const short = (language || "en").slice(0, 2).toLowerCase();
  return catalogs[short]?.[key] ?? en[key];
}

/** Reads the public status; anything unexpected (an error, a rate limit, another shape) counts as away. */
export async function fetchAdviserStatus(origin: string, widgetKey: string): Promise<AdviserStatus | null> {
  try {
    const response = await fetch(`${origin}/api/widget/${encodeURIComponent(widgetKey)}/presence`, { credentials: "omit", cache: "no-store" });
    if (!response.ok) return null;
    const body = (await response.json()) as { status?: unknown };
    return body.status === "online" ? "online" : "away";
  } catch {
    return null;
  }
}
