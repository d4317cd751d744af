import { api, ApiError, type Me } from "./api";
import { resetPresence } from "./operatorPresence";
import { stopChatInbox } from "./chatInbox";
import { h, replace } from "./dom";
import { t } from "./i18n";
import { setPhoneCountryZone, watchPhoneFields } from "./phoneInput";
import { signInPage, signUpPage, setPasswordPage } from "./pages/public";
import { refreshBookingsBadge, shell } from "./pages/shell";
import { accountPage } from "./pages/account";
import { operatorsPage } from "./pages/operators";
import { customFieldsPage } from "./pages/customFields";
import { apiKeysPage } from "./pages/apiKeys";
import { integrationsPage } from "./pages/integrations";
import { profilePage } from "./pages/profile";
import { availabilityPage } from "./pages/availability";
import { casesPage } from "./pages/cases";
import { calendarPage } from "./pages/calendar";
import { outboxPage } from "./pages/outbox";
import { dialogPage, dialogsPage } from "./pages/dialogs";
import { dialogSettingsPage } from "./pages/dialogSettings";
import { chatSettingsPage } from "./pages/chatSettings";
import { replyPage } from "./pages/reply";
import { meetingPage } from "./pages/meeting";
import { watchPresence } from "./presence";

export interface Context {
  me: Me;
  navigate: (path: string) => void;
  refreshMe: () => Promise<void>;
}

type PrivatePage = (ctx: Context) => Promise<Node> | Node;

const publicRoutes: Record<string, (navigate: (path: string) => void) => Node> = {
  "/sign-in": signInPage,
  "/sign-up": signUpPage,
  "/set-password": setPasswordPage,
  "/reply": replyPage,
};

/** Public pages that signed-in users may see too (they are not sent to the dashboard from these). */
const openToEveryone = new Set(["/set-password", "/reply"]);

const privateRoutes: Record<string, { page: PrivatePage; nav: string; adminOnly?: boolean }> = {
  "/cases": { page: (ctx) => casesPage(ctx, null), nav: "/cases" },
  "/calendar": { page: calendarPage, nav: "/calendar" },
  "/dialogs": { page: dialogsPage, nav: "/dialogs" },
  "/settings/account": { page: accountPage, nav: "/settings", adminOnly: true },
  "/settings/operators": { page: operatorsPage, nav: "/settings", adminOnly: true },
  "/settings/custom-fields": { page: customFieldsPage, nav: "/settings", adminOnly: true },
  "/settings/api-keys": { page: apiKeysPage, nav: "/settings", adminOnly: true },
  "/settings/integrations": { page: integrationsPage, nav: "/settings", adminOnly: true },
  "/settings/profile": { page: profilePage, nav: "/settings" },
  "/settings/booking": { page: availabilityPage, nav: "/settings" },
  "/settings/outbox": { page: outboxPage, nav: "/settings", adminOnly: true },
  "/settings/dialogs": { page: dialogSettingsPage, nav: "/settings", adminOnly: true },
  "/settings/chat": { page: chatSettingsPage, nav: "/settings", adminOnly: true },
};

const root = document.getElementById("app")!;
watchPhoneFields(document.body);
let me: Me | null = null;

export function navigate(path: string, replaceState = false): void {
  document.dispatchEvent(new Event("parley:leave")); // pages with unsaved typing save it now
  if (replaceState) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  void render();
}

async function loadMe(): Promise<Me | null> {
  try {
    return await api<Me>("GET", "/api/me");
  } catch (error) {
    if (error instanceof ApiError && error.problem.status === 401) return null;
    throw error;
  }
}

async function render(): Promise<void> {
  const path = location.pathname.replace(/\/+$/, "") || "/";
  if (publicRoutes[path]) {
    if (!openToEveryone.has(path)) {
      if (me === null) me = await loadMe().catch(() => null);
      if (me) return navigate("/cases", true);
    }
    replace(root, publicRoutes[path](navigate));
    focusMain();
    return;
  }
  if (me === null) me = await loadMe().catch(() => null);
  if (me === null) return navigate("/sign-in", true);
  setPhoneCountryZone(me.account.timeZone);
  const isAdmin = me.operator?.role === "administrator";
  // A case's own page is the cases page with that case open.
  const caseMatch = /^\/cases\/([a-z2-7]{1,32})$/.exec(path);
  // A dialog's own page (the thread with the reply form).
  const dialogMatch = /^\/dialogs\/([a-z0-9]{10,40})$/.exec(path);
  // The operator's view of a meeting room (an appointment's Join).
  const meetingMatch = /^\/meeting\/([a-z2-7]{1,32})$/.exec(path);
  let target = path;
  if (!caseMatch && !dialogMatch && !meetingMatch) {
    if (path === "/" || !privateRoutes[path] && path !== "/settings") target = "/cases";
    if (path === "/settings") target = isAdmin ? "/settings/account" : "/settings/profile";
    if (privateRoutes[target]?.adminOnly && !isAdmin) target = "/settings/profile";
    if (target !== path) return navigate(target, true);
  }
  const route = caseMatch ? { page: (c: Context) => casesPage(c, caseMatch[1]!), nav: "/cases" }
    : dialogMatch ? { page: (c: Context) => dialogPage(c, dialogMatch[1]!), nav: "/dialogs" }
    : meetingMatch ? { page: (c: Context) => meetingPage(c, meetingMatch[1]!), nav: "/cases" }
    : privateRoutes[target]!;
  const ctx: Context = {
    me,
    navigate,
    refreshMe: async () => {
      me = await loadMe();
    },
  };
  const content = h("div", {}, h("p", { class: "loading" }, t("common.loading")));
  replace(root, shell(ctx, route.nav, target, content, signOut));
  replace(content, await route.page(ctx));
  watchPresence(); // live Online/waiting wherever the page shows a case's customer
  void refreshBookingsBadge();
  focusMain();
}

async function signOut(): Promise<void> {
  await api("POST", "/api/auth/sign-out");
  me = null;
  resetPresence();
  stopChatInbox();
  navigate("/sign-in?signedOut=1");
}

function focusMain(): void {
  const heading = root.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
  document.title = heading ? `${heading.textContent} · Parley` : "Parley";
}

/** Internal links navigate without a page load. */
document.addEventListener("click", (event) => {
  const link = (event.target as Element).closest?.("a[data-link]") as HTMLAnchorElement | null;
  if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(link.pathname + link.search);
});
window.addEventListener("popstate", () => { document.dispatchEvent(new Event("parley:leave")); void render(); });
// Drawing the page anew in another language leaves it too (live polls of the page stop; the new page starts its own).
window.addEventListener("parley:language", () => { document.dispatchEvent(new Event("parley:leave")); void render(); });

void render().catch(() => replace(root, h("div", { class: "public" }, h("div", { class: "alert error", role: "alert" }, t("errors.network")))));
