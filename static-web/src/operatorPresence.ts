import { api } from "./api";
import { h } from "./dom";
import { t } from "./i18n";

/**
 * The operator's own presence in the navigation: a switch (Online / Away) and the effective status, which is Away
 * when an operator online by choice has been inactive for longer than the server's Presence__AwayAfter. While the
 * operator works (pointer or keyboard) the dashboard sends a heartbeat at most once a minute, and one when the tab
 * becomes visible again. The shell is drawn anew on every page, so the last answer is kept here.
 */
interface MyPresence {
  mode: "online" | "away";
  status: "online" | "away";
  lastActiveAt: string | null;
}

const heartbeatEvery = 60_000;
const refreshEvery = 60_000;

let state: MyPresence | null = null;
let view: { select: HTMLSelectElement; status: HTMLElement } | null = null;
let lastHeartbeat = 0;
let installed = false;

/** The switch for the shell; starts the heartbeats the first time it is shown. */
export function presenceSwitch(): HTMLElement {
  const id = "presence-switch";
  const select = h("select", { id, "data-presence-mode": true, onchange: () => void choose(select.value as MyPresence["mode"]) },
    h("option", { value: "online" }, t("presence.online")),
    h("option", { value: "away" }, t("presence.away")));
  const status = h("span", { class: "presence-status", "aria-live": "polite", "data-presence-status": true });
  view = { select, status };
  paint();
  install();
  if (!state) void heartbeat(true).then(refresh); // opening the dashboard (or signing in again) is activity
  return h("div", { class: "presence-switch" }, h("label", { for: id }, t("presence.label")), select, status);
}

function paint(): void {
  if (!view) return;
  if (!state) {
    view.select.disabled = true;
    return;
  }
  view.select.disabled = false;
  view.select.value = state.mode;
  const key = state.status === "online" ? "presence.online" : state.mode === "online" ? "presence.inactive" : "presence.away";
  view.status.dataset.status = state.status;
  view.status.textContent = t(key);
}

async function refresh(): Promise<void> {
  try {
    state = await api<MyPresence>("GET", "/api/me/presence");
  } catch {
    return; // the next refresh tries again
  }
  paint();
}

async function choose(mode: MyPresence["mode"]): Promise<void> {
  try {
    state = await api<MyPresence>("PUT", "/api/me/presence", { mode });
    lastHeartbeat = Date.now(); // choosing is activity too
  } catch {
    // the switch shows what the server has
  }
  paint();
}

async function heartbeat(force = false): Promise<void> {
  const now = Date.now();
  if (!force && now - lastHeartbeat < heartbeatEvery) return;
  lastHeartbeat = now;
  try {
    await api("POST", "/api/me/presence/heartbeat");
  } catch {
    return;
  }
  if (state && state.mode === "online" && state.status !== "online") {
    state = { ...state, status: "online", lastActiveAt: new Date(now).toISOString() };
    paint();
  }
}

function install(): void {
  if (installed) return;
  installed = true;
  const active = () => {
    if (document.visibilityState === "visible" && view?.select.isConnected) void heartbeat();
  };
  for (const type of ["pointerdown", "pointermove", "keydown", "wheel"]) document.addEventListener(type, active, { passive: true, capture: true });
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState !== "visible" || !view?.select.isConnected) return;
    void heartbeat().then(refresh);
  });
  setInterval(() => {
    if (document.visibilityState === "visible" && view?.select.isConnected) void refresh();
  }, refreshEvery);
}

/** For sign-out: forget the operator's presence (the next sign-in asks afresh). */
export function resetPresence(): void {
  state = null;
  view = null;
}
