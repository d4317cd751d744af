/**
 * Phone fields with a country picker (flag and dialling code), as the help articles describe: "type the country
 * code manually, or click on the flag icon and choose one from the list".
 *
 * Every <input type="tel"> that appears in the page gets the picker in front of it (watchPhoneFields), so each
 * page keeps building plain inputs and reading input.value. Typing stays free: a typed "+NN" wins and moves the
 * picker; a number typed without it gets the chosen country's "+NN " in front as it is typed, so the input always
 * holds what the server can parse (libphonenumber there drops a trunk 0: "+49 0151…" is +49 151…). The countries and
 * codes come from the server's own metadata (GET /api/phone-countries); names from the browser (Intl.DisplayNames).
 */
import { api } from "./api";
import { h } from "./dom";
import { language, t } from "./i18n";

interface PhoneCountry {
  country: string;
  diallingCode: number;
  main: boolean;
}

let countries: Promise<PhoneCountry[]> | null = null;
let preferredZone: string | null = null;
const upgraded = new WeakSet<HTMLInputElement>();

function loadCountries(): Promise<PhoneCountry[]> {
  countries ??= api<PhoneCountry[]>("GET", "/api/phone-countries").catch(() => []);
  return countries;
}

/** The account's time zone names the country a new number most likely belongs to (see docs/cases-and-appointments.md). */
export function setPhoneCountryZone(timeZone: string | null): void {
  preferredZone = timeZone;
}

/** Upgrades every phone input under root, now and whenever one is added later. */
export function watchPhoneFields(root: HTMLElement): void {
  void loadCountries();
  const upgradeAll = (node: Node) => {
    if (node instanceof HTMLInputElement && node.type === "tel") upgrade(node);
    else if (node instanceof Element) node.querySelectorAll<HTMLInputElement>('input[type="tel"]').forEach(upgrade);
  };
  upgradeAll(root);
  new MutationObserver((records) => records.forEach((r) => r.addedNodes.forEach(upgradeAll))).observe(root, { childList: true, subtree: true });
}

/** The country of an IANA time zone, from the browser's own time zone data (Intl.Locale), or null. */
const zoneCountries = new Map<string, string | null>();
function countryOfZone(zone: string | null, list: PhoneCountry[]): string | null {
  if (!zone || list.length === 0) return null;
  if (!zoneCountries.has(zone)) {
    zoneCountries.set(zone, list.find((c) => {
      // The region alone decides its time zones; the language is only there to make a valid tag.
      const locale = new Intl.Locale("en", { region: c.country }) as Intl.Locale & { getTimeZones?: () => string[] | undefined; timeZones?: string[] };
      return (locale.getTimeZones?.() ?? locale.timeZones)?.includes(zone) ?? false;
    })?.country ?? null);
  }
  return zoneCountries.get(zone)!;
}

function defaultCountry(list: PhoneCountry[]): string | null {
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const fromLanguage = navigator.language.split("-")[1]?.toUpperCase();
  return countryOfZone(preferredZone, list) ?? countryOfZone(browserZone, list)
    ?? (list.some((c) => c.country === fromLanguage) ? fromLanguage! : null);
}

/** Systems without a colour-emoji font (Windows among them) draw a flag as two letters or boxes; then the ISO code is clearer. */
let flagsDrawn: boolean | null = null;
function flag(country: string): string {
  if (flagsDrawn === null) {
    const context = document.createElement("canvas").getContext("2d");
    flagsDrawn = context !== null && context.measureText("\u{1F1E9}\u{1F1EA}").width < 1.5 * context.measureText("\u{1F1E9}").width;
  }
  return flagsDrawn ? String.fromCodePoint(...[...country].map((ch) => 0x1f1a5 + ch.charCodeAt(0))) : country;
}

/** The country whose code the typed "+NN…" starts with: the chosen one when it shares the code (+1, +44), else the code's main country. */
function countryOfTyped(text: string, list: PhoneCountry[], chosen: string): PhoneCountry | null {
  const digits = text.replace(/[^\d]/g, "");
  for (let length = 3; length >= 1; length--) {
    const code = Number(digits.slice(0, length));
    const same = list.filter((c) => c.diallingCode === code);
    if (digits.length >= length && same.length > 0) return same.find((c) => c.country === chosen) ?? same.find((c) => c.main) ?? same[0]!;
  }
  return null;
}

function upgrade(input: HTMLInputElement): void {
  if (upgraded.has(input)) return;
  upgraded.add(input);
  const select = h("select", { class: "phone-country", "aria-label": t("phone.country") });
  const wrapper = h("div", { class: "phone-input" });
  const focused = document.activeElement === input; // moving an element blurs it
  input.replaceWith(wrapper);
  wrapper.append(select, input);
  if (focused) input.focus();
  let list: PhoneCountry[] = [];
  const chosen = () => list.find((c) => c.country === select.value) ?? null;
  const short = (c: PhoneCountry) => `${flag(c.country)} +${c.diallingCode}`;
  let names: Intl.DisplayNames | null = null;
  const long = (c: PhoneCountry) => `${names?.of(c.country) ?? c.country} (+${c.diallingCode}) ${flag(c.country)}`;
  // The closed picker shows the short "flag +NN"; the open list the names (sorted by name, so typing a letter finds a country).
  const relabel = () => {
    for (const option of select.options) {
      const c = list.find((x) => x.country === option.value);
      option.textContent = !c ? "—" : option.selected ? short(c) : long(c);
    }
  };
  const choose = (country: string | null) => {
    select.value = country ?? "";
    relabel();
  };
  const changed = () => {
    input.dispatchEvent(new Event("input", { bubbles: true }));
    input.dispatchEvent(new Event("change", { bubbles: true }));
  };

  // Capture phase on the wrapper: runs before the page's own listeners on the input read its value.
  wrapper.addEventListener("input", (event) => {
    if (event.target !== input || list.length === 0) return;
    const text = input.value.trimStart();
    if (text === "") return;
    if (!text.startsWith("+") && chosen()) input.value = `+${chosen()!.diallingCode} ${text}`;
    // "00", the international prefix most of Europe dials, starts a country code of its own (typed alone or after the code put in front).
    if (/^(\+\d{1,3} )?00/.test(input.value)) input.value = "+" + input.value.replace(/^(\+\d{1,3} )?00/, "");
    if (input.value.startsWith("+")) {
      const typed = countryOfTyped(input.value, list, select.value);
      if (typed && typed.country !== select.value) choose(typed.country);
    }
  }, true);

  // Picking a country replaces the typed code (or puts one in front of a number typed without it).
  select.addEventListener("change", () => {
    const before = input.value.trim();
    const previous = before.startsWith("+") ? countryOfTyped(before, list, "") : null;
    const next = chosen();
    relabel();
    if (next && before !== "") {
      const body = before.replace(/^\+\s*/, "");
      const code = previous ? String(previous.diallingCode) : "";
      input.value = `+${next.diallingCode} ${previous && body.startsWith(code) ? body.slice(code.length).trimStart() : body}`;
      changed();
    }
    input.focus();
  });

  void loadCountries().then((loaded) => {
    list = loaded;
    try {
      names = new Intl.DisplayNames([language()], { type: "region" });
    } catch {
      names = null;
    }
    const byName = [...list].sort((a, b) => long(a).localeCompare(long(b), language()));
    select.replaceChildren(h("option", { value: "" }), ...byName.map((c) => h("option", { value: c.country })));
    const typed = input.value.trim().startsWith("+") ? countryOfTyped(input.value, list, "") : null;
    choose(typed?.country ?? defaultCountry(list));
  });
}
