import { api, ApiError, type UnseenBookings } from "../api";
import { h, replace } from "../dom";
import { formatDate, language, setLanguage, t, uiLanguages } from "../i18n";
import type { Context } from "../main";
import { presenceSwitch } from "../operatorPresence";
import { chatBadge, chatSoundToggle } from "../chatInbox";
import en from "../i18n/en.json";
import de from "../i18n/de.json";

const names: Record<string, string> = { en: en["language.name"], de: de["language.name"] };

export function languageSwitch(): HTMLElement {
  const id = "language-switch";
  const select = h("select", { id, onchange: (e: Event) => {
    setLanguage((e.target as HTMLSelectElement).value);
    window.dispatchEvent(new Event("parley:language"));
  } }, uiLanguages.map((code) => h("option", { value: code, selected: code === language() }, names[code] ?? code)));
  return h("div", { class: "lang-switch" }, h("label", { for: id, class: "visually-hidden" }, t("language.label")), select);
}

export function brand(): HTMLElement {
  return h("a", { class: "brand", href: "/", "data-link": true }, h("img", { src: "/favicon.svg", alt: "" }), "Parley");
}

/** The signed-in layout: navigation (Cases, Calendar, Dialogs, Settings), who is signed in, their presence, language, sign-out. */
export function shell(ctx: Context, activeNav: string, _path: string, content: HTMLElement, signOut: () => Promise<void>): HTMLElement {
  const item = (href: string, key: "nav.cases" | "nav.calendar" | "nav.dialogs" | "nav.settings", extra: HTMLElement | null = null) =>
    h("li", { class: extra ? "with-badge" : undefined }, h("a", { href, "data-link": true, "aria-current": href === activeNav ? "page" : undefined }, t(key)), extra);
  // Operators see new bookings and unread website chats next to Cases.
  const alerts = ctx.me.operator ? h("div", { class: "nav-alerts" }, chatBadge(), bookingsBadge()) : null;
  return h("div", { class: "shell" },
    h("aside", { class: "sidebar" },
      brand(),
      h("nav", { "aria-label": t("nav.main") }, h("ul", {},
        item("/cases", "nav.cases", alerts), item("/calendar", "nav.calendar"), item("/dialogs", "nav.dialogs"), item("/settings", "nav.settings"))),
      h("div", { class: "account" },
        h("div", {}, h("strong", {}, ctx.me.operator?.name ?? "API"), h("br"), ctx.me.account.businessName),
        ctx.me.operator ? presenceSwitch() : null,
        ctx.me.operator ? chatSoundToggle() : null,
        languageSwitch(),
        h("button", { type: "button", class: "link", onclick: () => void signOut() }, t("common.signOut")))),
    h("main", { class: "main", id: "main" }, content));
}

/** Tabs of the Settings area; administrators see them all, operators only their profile. */
export function settingsTabs(ctx: Context, active: string): HTMLElement {
  const isAdmin = ctx.me.operator?.role === "administrator";
  const tabs: [string, "settings.account" | "settings.operators" | "settings.customFields" | "settings.apiKeys" | "settings.integrations" | "settings.dialogs" | "settings.chat" | "settings.profile" | "settings.booking" | "settings.outbox"][] = isAdmin
    ? [["/settings/account", "settings.account"], ["/settings/operators", "settings.operators"], ["/settings/custom-fields", "settings.customFields"], ["/settings/api-keys", "settings.apiKeys"], ["/settings/integrations", "settings.integrations"], ["/settings/dialogs", "settings.dialogs"], ["/settings/chat", "settings.chat"], ["/settings/profile", "settings.profile"], ["/settings/booking", "settings.booking"], ["/settings/outbox", "settings.outbox"]]
    : [["/settings/profile", "settings.profile"], ["/settings/booking", "settings.booking"]];
  return h("nav", { class: "tabs", "aria-label": t("settings.title") },
    tabs.map(([href, key]) => h("a", { href, "data-link": true, "aria-current": href === active ? "page" : undefined }, t(key))));
}

/**
 * New bookings (and bookers' cancellations and moves) since the operator last looked, as a count on the Cases entry
 * (docs/booking.md, "Operator alerts"). Opening the list marks them seen. The shell is drawn anew on every page, so the
 * last answer is kept here and painted at once; {@link refreshBookingsBadge} asks again (every 30 s and after each page).
 */
let unseen: UnseenBookings = { count: 0, items: [] };
let badge: { button: HTMLButtonElement; list: HTMLElement } | null = null;
let badgeTimer: ReturnType<typeof setInterval> | undefined;

function bookingsBadge(): HTMLElement {
  const list = h("div", { class: "bookings-popover", id: "bookings-popover", hidden: true });
  const button = h("button", { type: "button", class: "nav-badge", hidden: true, "aria-expanded": "false", "aria-controls": list.id });
  const close = () => {
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
    paintBadge();
  };
  button.addEventListener("click", () => {
    if (!list.hidden) return close();
    const items = unseen.items;
    replace(list, h("h2", { class: "small-heading" }, t("bookings.title")),
      items.length === 0 ? h("p", { class: "muted" }, t("bookings.none")) : h("ul", {}, items.map((item) => h("li", {},
        h("a", { href: `/cases/${encodeURIComponent(item.caseId)}`, "data-link": true }, item.caseName),
        h("span", { class: "muted small" }, " · ", formatDate(item.start))))));
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
    unseen = { count: 0, items };
    // Marked seen when looked at; failing (or not there yet) is not worth a word: the badge comes back with the next poll.
    api("POST", "/api/bookings/seen").catch(() => undefined);
  });
  list.addEventListener("keydown", (e) => { if (e.key === "Escape") { close(); button.focus(); } });
  badge = { button, list };
  paintBadge();
  if (badgeTimer === undefined) badgeTimer = setInterval(() => void refreshBookingsBadge(), 30_000);
  return h("div", { class: "bookings-alert" }, button, list);
}

function paintBadge(): void {
  if (!badge || !badge.list.hidden) return; // an open list stays as it is until closed
  badge.button.hidden = unseen.count <= 0;
  badge.button.textContent = String(unseen.count);
  badge.button.setAttribute("aria-label", t("bookings.badge", { count: String(unseen.count) }));
}

/** Asks for the unseen bookings and updates the badge; says nothing when it fails (404 before the server has it). */
export async function refreshBookingsBadge(): Promise<void> {
  if (!badge || !badge.button.isConnected) return;
  try {
    unseen = await api<UnseenBookings>("GET", "/api/bookings/unseen");
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 401) unseen = { count: 0, items: [] };
    return paintBadge();
  }
  paintBadge();
}
