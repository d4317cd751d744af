import { api, NetworkError, type CaseDetail, type ConversationEvents, type ConversationMessage } from "./api";
import { h, replace, uid } from "./dom";
import { t, uiLocale, type TextKey } from "./i18n";
import { problemText } from "./problems";
import { formatDateTime } from "./time";

/** The one live chat panel on the page: a new one (another case, the same case drawn again) stops the last. */
let current: AbortController | null = null;

const typingEvery = 3000;
const retryEvery = [1000, 2000, 4000, 8000, 15000];

/**
 * A website-chat case's conversation on the case page (docs/chat.md, "Dashboard"): the messages live through the
 * operator's long poll (stopped when the page is left: the router's parley:leave), a reply box (a message that could
 * not be sent keeps its text and is retried with the same client id, so it is never sent twice), the visitor's typing
 * and online state, "Seen" on the last answer the visitor has read, read marks sent while the page is visible, the
 * invitation to a video call, and where the chat started (page, referrer, UTM, time zone) as plain text.
 */
export function chatPanel(c: CaseDetail, initial: ConversationMessage[], zone: string,
  actions: { openMeeting: (appointmentId: string) => void; answered: () => void }): HTMLElement {
  current?.abort();
  const stop = new AbortController();
  current = stop;
  const { signal } = stop;
  document.addEventListener("parley:leave", () => stop.abort(), { signal });

  const messages = new Map<string, ConversationMessage>();
  let after = 0;
  // State 0 on the first poll: it answers at once with the visitor's typing, read mark and online state as they are.
  let state = 0;
  let visitorRead = 0;
  let readSent = 0;

  const thread = h("ol", { class: "thread chat-thread" });
  const typing = h("p", { class: "chat-typing muted", "aria-live": "polite", "data-visitor-typing": "" });
  const online = h("span", { class: "chat-visitor", "data-visitor-online": "unknown" });
  const setOnline = (value: boolean) => {
    if (online.dataset.visitorOnline === String(value)) return;
    online.dataset.visitorOnline = String(value);
    replace(online, h("span", { class: value ? "badge online" : "badge off" }, t(value ? "chat.visitorOnline" : "chat.visitorAway")));
  };

  // Drawn incrementally: new messages are added (the thread is a log, which screen readers follow by its additions).
  const items = new Map<string, HTMLLIElement>();
  const empty = h("li", { class: "empty" }, t("chat.empty"));
  const seen = h("div", { class: "msg-seen", "data-seen": "" }, "✓ ", t("chat.seen"));
  const item = (m: ConversationMessage) => h("li", {
    class: `msg ${m.author === "operator" ? "mine" : m.author === "system" ? "system" : "theirs"}`, "data-author": m.author, "data-seq": m.seq },
  h("div", { class: "msg-meta" }, m.authorName, " · ", formatDateTime(m.at, zone, uiLocale())),
  h("p", { class: "msg-text" }, m.text),
  m.appointmentId ? h("a", { href: `/meeting/${encodeURIComponent(m.appointmentId)}`, "data-link": true, class: "button secondary small" }, t("chat.joinVideo")) : null);
  const draw = () => {
    const list = [...messages.values()].sort((a, b) => a.seq - b.seq);
    const nearBottom = thread.scrollHeight - thread.scrollTop - thread.clientHeight < 40;
    if (list.length === 0) {
      if (!empty.isConnected) thread.append(empty);
    } else {
      empty.remove();
    }
    let previous: HTMLLIElement | null = null;
    for (const m of list) {
      let li = items.get(m.id);
      if (!li) {
        li = item(m);
        items.set(m.id, li);
        if (previous) previous.after(li);
        else thread.prepend(li);
      }
      previous = li;
    }
    const lastSeen = [...list].reverse().find((m) => m.author === "operator" && m.seq <= visitorRead);
    const seenAt = lastSeen ? items.get(lastSeen.id) : undefined;
    if (!seenAt) seen.remove();
    else if (seen.parentElement !== seenAt) seenAt.append(seen);
    if (nearBottom || thread.dataset.scrolled !== "true") {
      thread.scrollTop = thread.scrollHeight;
    }
  };
  thread.addEventListener("scroll", () => { thread.dataset.scrolled = String(thread.scrollHeight - thread.scrollTop - thread.clientHeight > 40); });

  const add = (list: ConversationMessage[]) => {
    for (const m of list) {
      messages.set(m.id, m);
      if (m.seq > after) after = m.seq;
    }
  };

  /** The operator has seen the visitor's messages: said while the page is visible and new ones are shown. */
  const markRead = (force = false) => {
    if (signal.aborted || document.visibilityState !== "visible") return;
    const newest = Math.max(0, ...[...messages.values()].filter((m) => m.author === "customer").map((m) => m.seq));
    if (!force && newest <= readSent) return;
    readSent = newest;
    api("POST", `/api/cases/${c.id}/conversation/read`).catch(() => { readSent = 0; });
  };
  document.addEventListener("visibilitychange", () => markRead(), { signal });

  add(initial);
  draw();

  const poll = async () => {
    let failures = 0;
    while (!signal.aborted) {
      const query = new URLSearchParams({ after: String(after) });
      query.set("state", String(state));
      let events: ConversationEvents;
      const asked = Date.now();
      try {
        events = await api<ConversationEvents>("GET", `/api/cases/${c.id}/conversation/events?${query}`, undefined, { signal });
      } catch {
        if (signal.aborted) return;
        failures++;
        await pause(Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)), signal);
        continue;
      }
      failures = 0;
      if (!panel.isConnected && panel.dataset.shown === "true") return stop.abort();
      // An answer at once with nothing new (the server did not wait): no tight loop.
      if (events.messages.length === 0 && events.state === state && Date.now() - asked < 1000) await pause(3000, signal);
      add(events.messages);
      if (typeof events.next === "number" && events.next > after) after = events.next;
      state = events.state ?? state;
      visitorRead = events.visitorRead ?? visitorRead;
      const typingText = events.visitorTyping ? t("chat.visitorTyping") : "";
      if (typing.textContent !== typingText) typing.textContent = typingText;
      setOnline(events.visitorOnline === true);
      draw();
      if (events.messages.some((m) => m.author === "customer")) markRead();
    }
  };

  // The reply box.
  const replyId = uid("chat-reply");
  const errorId = `${replyId}-error`;
  const text = h("textarea", { id: replyId, rows: 3, "aria-describedby": `${replyId}-hint ${errorId}` });
  // The answer being written survives the case page being drawn again (complete, reopen, scheduling) and reloads of the tab.
  const draftKey = `parley.chatDraft.${c.id}`;
  const keepDraft = () => {
    try {
      if (text.value) sessionStorage.setItem(draftKey, text.value);
      else sessionStorage.removeItem(draftKey);
    } catch {
      // storage denied: the draft simply is not kept
    }
  };
  try {
    text.value = sessionStorage.getItem(draftKey) ?? "";
  } catch {
    // as above
  }
  text.addEventListener("input", keepDraft);
  const error = h("div", { class: "field-error", id: errorId, hidden: true });
  const send = h("button", { type: "submit" }, t("chat.send"));
  let pending: { id: string; text: string } | null = null;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let attempt = 0;
  let lastTyping = 0;

  const showError = (message: string | null) => {
    error.hidden = message === null;
    error.textContent = message ?? "";
    if (message === null) text.removeAttribute("aria-invalid");
    else text.setAttribute("aria-invalid", "true");
  };

  const deliver = async () => {
    clearTimeout(retry);
    const sending = pending;
    if (!sending || signal.aborted) return;
    send.disabled = true;
    try {
      const message = await api<ConversationMessage>("POST", `/api/cases/${c.id}/conversation`, { clientMessageId: sending.id, text: sending.text });
      if (pending === sending) pending = null;
      attempt = 0;
      if (text.value.trim() === sending.text) {
        text.value = "";
        keepDraft();
      }
      showError(null);
      if (message?.id) add([message]);
      typing.textContent = "";
      draw();
      actions.answered(); // the case no longer awaits a reply: the list says so
    } catch (e) {
      if (e instanceof NetworkError) {
        // The text stays; the same client id makes a retry safe even if the first one did arrive.
        showError(t("chat.notSent"));
        const wait = retryEvery[Math.min(attempt, retryEvery.length - 1)]!;
        attempt++;
        retry = setTimeout(() => void deliver(), wait);
      } else {
        if (pending === sending) pending = null;
        attempt = 0;
        showError(problemText(e));
      }
    } finally {
      send.disabled = false;
    }
  };
  signal.addEventListener("abort", () => clearTimeout(retry));

  const video = h("button", { type: "button", class: "secondary chat-video" }, t("chat.inviteVideo"));
  const reply = h("form", { class: "chat-reply", novalidate: true },
    h("div", { class: "field" },
      h("label", { for: replyId }, t("chat.reply")),
      text,
      h("div", { class: "hint", id: `${replyId}-hint` }, t("chat.replyHint")),
      error),
    h("div", { class: "actions" }, send, video));
  reply.addEventListener("submit", (e) => {
    e.preventDefault();
    const value = text.value.trim();
    if (value === "") {
      showError(t("errors.required"));
      text.focus();
      return;
    }
    // The same text again (Send pressed after a failure) is the same message.
    if (!pending || pending.text !== value) {
      pending = { id: newClientId(), text: value };
      attempt = 0;
    }
    void deliver();
  });
  text.addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      reply.requestSubmit();
    }
  });
  text.addEventListener("input", () => {
    const now = Date.now();
    if (text.value.trim() === "" || now - lastTyping < typingEvery) return;
    lastTyping = now;
    api("POST", `/api/cases/${c.id}/conversation/typing`).catch(() => undefined);
  });

  // Invite to a video call: an appointment now; the operator goes to its meeting room.
  const videoError = h("div", { class: "alert error", role: "alert", hidden: true });
  video.addEventListener("click", async () => {
    video.disabled = true;
    videoError.hidden = true;
    try {
      const invited = await api<{ appointmentId: string; meetingUrl: string; message?: ConversationMessage }>("POST", `/api/cases/${c.id}/chat/video`, {});
      actions.openMeeting(invited.appointmentId);
    } catch (e) {
      videoError.hidden = false;
      videoError.textContent = problemText(e);
      video.disabled = false;
    }
  });

  // Not part of the case page's polite region: the thread (a log) and the typing line speak for themselves.
  const panel = h("section", { class: "case-chat card-section", "aria-live": "off", "data-chat-panel": "" },
    h("div", { class: "topbar" }, h("h2", {}, t("chat.title")), online),
    metadataBlock(c.metadata ?? null),
    h("div", { role: "log", "aria-label": t("chat.thread") }, thread),
    typing,
    reply,
    videoError);
  panel.dataset.shown = "false";
  // Started once the panel is on the page (the case page is drawn, then shown).
  setTimeout(() => {
    panel.dataset.shown = "true";
    draw();
    if (signal.aborted) return;
    if ((c.unreadMessages ?? 1) > 0) markRead(true);
    void poll();
  }, 0);
  return panel;
}

const metadataKeys: [string, TextKey][] = [
  ["pageUrl", "chat.meta.pageUrl"], ["referrer", "chat.meta.referrer"], ["timeZone", "chat.meta.timeZone"],
  ["utm_source", "chat.meta.utmSource"], ["utm_medium", "chat.meta.utmMedium"], ["utm_campaign", "chat.meta.utmCampaign"],
  ["utm_term", "chat.meta.utmTerm"], ["utm_content", "chat.meta.utmContent"],
];

/** Where the chat started, as text (never a link: a visitor wrote it). */
function metadataBlock(metadata: Record<string, string> | null): HTMLElement | null {
  if (!metadata) return null;
  const known = new Set(metadataKeys.map(([key]) => key));
  const rows: [string, string][] = [
    ...metadataKeys.filter(([key]) => metadata[key]).map(([key, label]): [string, string] => [t(label), metadata[key]!]),
    ...Object.entries(metadata).filter(([key, value]) => !known.has(key) && value),
  ];
  if (rows.length === 0) return null;
  return h("div", { class: "chat-meta", "data-chat-meta": "" }, h("h3", {}, t("chat.meta.title")),
    h("dl", {}, rows.flatMap(([label, value]) => [h("dt", {}, label), h("dd", { class: "chat-meta-value" }, value)])));
}

function newClientId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return "op-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => { clearTimeout(timer); resolve(); }, { once: true });
  });
}
