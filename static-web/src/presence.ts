import { api } from "./api";
import { h, replace } from "./dom";
import { t } from "./i18n";

/**
 * Live Online/Away and "waiting" in the dashboard: started after each page is shown (and when the case list is
 * reloaded); while an element with [data-presence-case] is on the page, asks
 * /api/presence every few seconds (one small query for the whole account) and updates those elements in place.
 * A customer closing their meeting page shows as Away at the next poll (their page's beacon removes them at once).
 */
interface Presence {
  online: { caseId: string; waiting: { appointmentId: string; participantId: string; name: string; since: string }[] }[];
}

const every = 4000;
let timer: number | undefined;

export function watchPresence(): void {
  if (timer !== undefined) return;
  const tick = async () => {
    const targets = document.querySelectorAll<HTMLElement>("[data-presence-case]");
    if (targets.length === 0) {
      timer = undefined;
      return;
    }
    try {
      const presence = await api<Presence>("GET", "/api/presence");
      const byCase = new Map(presence.online.map((o) => [o.caseId, o]));
      for (const target of document.querySelectorAll<HTMLElement>("[data-presence-case]")) show(target, byCase.get(target.dataset.presenceCase!));
    } catch {
      // keep what is shown; the next poll tries again
    }
    timer = window.setTimeout(() => void tick(), every);
  };
  timer = window.setTimeout(() => void tick(), 0);
}

function show(target: HTMLElement, online: Presence["online"][number] | undefined): void {
  const waiting = online?.waiting[0];
  const state = waiting ? "waiting" : online ? "online" : "away";
  if (target.dataset.presence === state && (!waiting || target.dataset.presenceWaiting === waiting.appointmentId)) return;
  target.dataset.presence = state;
  target.dataset.presenceWaiting = waiting?.appointmentId ?? "";
  if (target.dataset.presenceStyle === "text") {
    replace(target, state === "away" ? t("cases.customer.away") : t("cases.customer.online"),
      waiting ? h("span", {}, " · ", h("a", { href: `/meeting/${waiting.appointmentId}`, "data-link": true, class: "badge waiting" }, t("meeting.waitingJoin", { name: waiting.name }))) : null);
  } else {
    replace(target, state === "away" ? null : h("span", { class: `badge ${state === "waiting" ? "waiting" : "online"}` },
      state === "waiting" ? t("meeting.waitingBadge") : t("cases.customer.online")));
  }
}
