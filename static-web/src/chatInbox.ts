import { api, ApiError, type ChatInbox } from "./api";
import { h, replace } from "./dom";
import { t } from "./i18n";

/**
 * The navigation's chat badge (docs/chat.md, "Dashboard"): one long poll of /api/chat/inbox while an operator is
 * signed in (restarted after errors with a growing pause, stopped on sign-out), the number of website chats with unread
 * visitor messages as a badge that opens a list of them, a short tone (WebAudio, no file; can be muted, remembered in
 * localStorage) and a polite announcement when a new visitor message arrives. The shell is drawn anew on every page, so
 * the last answer is kept here and painted at once. Pages (the case list) hear changes through {@link onChatInboxChange}.
 */
let inbox: ChatInbox = { cases: [], total: 0, next: 0 };
let loaded = false;
let running: AbortController | null = null;
let view: { button: HTMLButtonElement; list: HTMLElement; live: HTMLElement } | null = null;
const listeners = new Set<() => void>();
const muteKey = "parley.chatSound";

/** The badge for the shell (operators only); starts the inbox poll the first time. */
export function chatBadge(): HTMLElement {
  const list = h("div", { class: "bookings-popover chat-popover", id: "chat-popover", hidden: true });
  const button = h("button", { type: "button", class: "chat-badge", hidden: true, "aria-expanded": "false", "aria-controls": list.id, "data-chat-badge": "" });
  // Polite, and not a status role: pages keep their own status messages unique.
  const live = h("span", { class: "visually-hidden", "aria-live": "polite", "data-chat-announce": "" });
  const close = () => {
    list.hidden = true;
    button.setAttribute("aria-expanded", "false");
    paint();
  };
  button.addEventListener("click", () => {
    if (!list.hidden) return close();
    replace(list, h("h2", { class: "small-heading" }, t("chatInbox.title")),
      inbox.cases.length === 0 ? h("p", { class: "muted" }, t("chatInbox.none")) : h("ul", {}, inbox.cases.map((c) => h("li", {},
        h("a", { href: `/cases/${encodeURIComponent(c.caseId)}`, "data-link": true }, c.name),
        h("span", { class: "muted small" }, ` #${c.number} · `, t("chatInbox.unread", { count: String(c.unreadMessages) }))))));
    list.hidden = false;
    button.setAttribute("aria-expanded", "true");
  });
  list.addEventListener("keydown", (e) => { if (e.key === "Escape") { close(); button.focus(); } });
  list.addEventListener("click", (e) => { if ((e.target as Element).closest("a")) close(); });
  view = { button, list, live };
  paint();
  start();
  return h("div", { class: "chat-alert" }, button, list, live);
}

/** The mute switch for the sidebar: a toggle button, remembered in this browser. */
export function chatSoundToggle(): HTMLElement {
  const icon = h("span", { "aria-hidden": "true" });
  const button = h("button", { type: "button", class: "link chat-sound", "aria-pressed": String(!muted()) }, icon, t("chatInbox.sound"));
  const show = () => { icon.textContent = muted() ? "🔕 " : "🔔 "; };
  show();
  button.addEventListener("click", () => {
    const mute = !muted();
    try {
      if (mute) localStorage.setItem(muteKey, "off");
      else localStorage.removeItem(muteKey);
    } catch {
      // not remembered; the switch still shows what was chosen
    }
    mutedHere = mute;
    button.setAttribute("aria-pressed", String(!mute));
    show();
    if (!mute) unlockAudio();
  });
  return button;
}

/** Calls `listener` whenever the inbox changes, until `signal` aborts. */
export function onChatInboxChange(listener: () => void, signal: AbortSignal): void {
  listeners.add(listener);
  signal.addEventListener("abort", () => listeners.delete(listener), { once: true });
}

/** For sign-out: stop polling and forget the inbox. */
export function stopChatInbox(): void {
  running?.abort();
  running = null;
  inbox = { cases: [], total: 0, next: 0 };
  loaded = false;
  view = null;
}

function paint(): void {
  if (!view || !view.list.hidden) return; // an open list stays as it is until closed
  view.button.hidden = inbox.total <= 0;
  view.button.textContent = String(inbox.total);
  view.button.setAttribute("aria-label", t("chatInbox.badge", { count: String(inbox.total) }));
  if (loaded) view.button.dataset.inbox = "loaded"; // the first answer is in (new messages after it chime)
}

function start(): void {
  if (running) return;
  const controller = new AbortController();
  running = controller;
  void poll(controller.signal);
}

async function poll(signal: AbortSignal): Promise<void> {
  let after: number | null = null;
  let failures = 0;
  while (!signal.aborted) {
    let answer: ChatInbox;
    try {
      answer = await api<ChatInbox>("GET", after === null ? "/api/chat/inbox" : `/api/chat/inbox?after=${encodeURIComponent(String(after))}`, undefined, { signal });
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.problem.status === 401) {
        if (running?.signal === signal) running = null;
        return; // signed out elsewhere: the next sign-in starts again
      }
      failures++;
      await pause(Math.min(60_000, 1000 * 2 ** Math.min(failures, 6)), signal);
      continue;
    }
    failures = 0;
    const first = after === null;
    const before = inbox;
    inbox = answer;
    loaded = true;
    after = answer.next;
    if (!first) {
      const fresh = answer.cases.filter((c) => {
        const old = before.cases.find((o) => o.caseId === c.caseId);
        // More unread than before (lastMessageAt also moves when an operator edits the case: not news).
        return c.unreadMessages > 0 && (!old || c.unreadMessages > old.unreadMessages);
      });
      if (fresh.length > 0) {
        beep();
        announce(fresh.length === 1 ? t("chatInbox.newMessage", { name: fresh[0]!.name }) : t("chatInbox.newMessages", { count: String(fresh.length) }));
      }
    }
    paint();
    // The first answer is what the page was drawn with; later changes are news for it.
    if (!first && signature(before) !== signature(answer)) for (const listener of [...listeners]) listener();
  }
}

function signature(value: ChatInbox): string {
  return JSON.stringify([value.total, value.cases.map((c) => [c.caseId, c.unreadMessages, c.lastMessageAt])]);
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}

function announce(text: string): void {
  if (!view?.live.isConnected) return;
  view.live.textContent = "";
  // A new text node in a second step: screen readers announce a change, even of the same words.
  setTimeout(() => { if (view) view.live.textContent = text; }, 50);
}

let mutedHere: boolean | null = null;

function muted(): boolean {
  if (mutedHere !== null) return mutedHere;
  try {
    return localStorage.getItem(muteKey) === "off";
  } catch {
    return false;
  }
}

let audio: AudioContext | null = null;

/** Browsers start audio only after a user gesture: the context is made (or resumed) on the first one. */
function unlockAudio(): void {
  try {
    audio ??= new AudioContext();
    if (audio.state === "suspended") void audio.resume().catch(() => undefined);
  } catch {
    audio = null; // no Web Audio: silent
  }
}
for (const type of ["pointerdown", "keydown"]) document.addEventListener(type, unlockAudio, { once: true, capture: true, passive: true });

/** A short two-note chime from an oscillator. */
function beep(): void {
  if (muted()) return;
  unlockAudio();
  if (!audio) return;
  try {
    const now = audio.currentTime;
    const gain = audio.createGain();
    gain.gain.setValueAtTime(0.0001, now);
    gain.gain.exponentialRampToValueAtTime(0.15, now + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + 0.4);
    gain.connect(audio.destination);
    const tone = audio.createOscillator();
    tone.type = "sine";
    tone.frequency.setValueAtTime(880, now);
    tone.frequency.setValueAtTime(1175, now + 0.12);
    tone.connect(gain);
    tone.start(now);
    tone.stop(now + 0.42);
  } catch {
    // sound is a courtesy; the badge and the announcement carry the news
  }
}
