/**
 * The website live chat, visitor side (chat.html; docs/chat.md, "Widget"). Two ways in:
 * - /chat?key=<account>&origin=<website>#c=<context>: inside the panel of chat-embed.js on the business's website.
 *   The fragment carries the page's context (URL, referrer, language, zone, UTM) and the website's signed identity;
 *   the loader sends parley:chat-open / parley:chat-closed / parley:chat-presence / parley:chat-identify, and hears
 *   parley:chat-ready / -state / -unread / -close / -gone back (to the website's origin only).
 * - /chat#<linkToken>: the link of an answer e-mail; the same conversation in a full page, without a close button.
 * Everything people wrote is shown as text (dom.ts `h`), never as markup; nothing is linked but a video invitation
 * on Parley's own origin.
 */
import { h, replace, uid } from "../dom";
import { call, chatPath, ChatError, OfflineError, useToken, type ChatEvents, type ChatMessage, type Session } from "./api";
import { chatLanguage, ct, formatTime, useLanguage, type ChatKey } from "./texts";

const MaxLength = 2000;
const TypingEvery = 3000;

interface PageContext {
  pageUrl?: string;
  referrer?: string;
  language?: string;
  timeZone?: string;
  utm?: Record<string, string>;
}
interface Identity {
  identifier?: string;
  signature?: string;
}

const root = document.getElementById("chat")!;
const params = new URLSearchParams(location.search);
const embedded = params.has("key") && window.parent !== window;
let key = params.get("key") ?? "";
/** The website that frames us: the browser's own word when it gives it, else what the loader said. */
const hostOrigin = embedded ? (location.ancestorOrigins?.[0] ?? params.get("origin")) : null;

const text = (value: unknown, max: number) => (typeof value === "string" && value ? value.slice(0, max) : undefined);
function readContext(data: Record<string, unknown>): PageContext {
  const utm: Record<string, string> = {};
  if (data.utm && typeof data.utm === "object") {
    for (const name of ["source", "medium", "campaign", "term", "content"]) {
      const value = text((data.utm as Record<string, unknown>)[name], 200);
      if (value) utm[name] = value;
    }
  }
  return { pageUrl: text(data.pageUrl, 2000), referrer: text(data.referrer, 2000), language: text(data.language, 20), timeZone: text(data.timeZone, 100), utm };
}

let context: PageContext = {};
let identity: Identity = {};
let panelOpen = !embedded;
if (embedded) {
  try {
    const encoded = new URLSearchParams(location.hash.slice(1)).get("c");
    if (encoded) {
      const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
      const data = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
      context = readContext(data);
      identity = { identifier: text(data.identifier, 200), signature: text(data.signature, 128) };
      panelOpen = data.open === true;
    }
  } catch {
    // no context: the case just has less
  }
}

function toHost(message: Record<string, unknown>): void {
  if (embedded && hostOrigin) window.parent.postMessage(message, hostOrigin);
}

// ---- the token: per account in this frame's localStorage; when that is blocked, the server's partitioned cookie ----
const tokenKey = () => `parley-chat-token:${key}`;
function storedToken(): string | undefined {
  try {
    return localStorage.getItem(tokenKey()) ?? undefined;
  } catch {
    return undefined;
  }
}
function storeToken(token: string): void {
  useToken(token);
  try {
    localStorage.setItem(tokenKey(), token);
  } catch {
    // third-party storage blocked: the cookie parley.chat brings the same visitor back
  }
}

/** White text on dark colours, dark text on light ones (widget/frame.ts). */
function textOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? "#111827" : "#ffffff";
}

const visible = () => document.visibilityState !== "hidden";
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const newId = () => (typeof crypto.randomUUID === "function" ? crypto.randomUUID().replace(/-/g, "") : Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, "0")).join(""));

function problemText(error: unknown): string {
  if (error instanceof OfflineError) return ct("error.network");
  if (error instanceof ChatError) {
    if (error.problem.status === 429) return ct("error.tooMany");
    if (error.problem.status === 503) return ct("error.busy");
    if (error.problem.detail) return error.problem.detail;
  }
  return ct("error.unexpected");
}

function fatal(keyOfText: ChatKey, retry?: () => void): void {
  replace(root, h("main", { class: "chat-fatal" },
    h("div", { class: "alert error", role: "alert", id: "chat-error" }, ct(keyOfText)),
    retry ? h("button", { type: "button", class: "secondary", onclick: retry }, ct("retry")) : null,
    embedded ? h("button", { type: "button", class: "secondary", onclick: () => toHost({ type: "parley:chat-close" }) }, ct("close")) : null));
}

// ---------------------------------------------------------------------------------------------------------------
// One conversation view; a new session (identify) builds a new one.
// ---------------------------------------------------------------------------------------------------------------

interface Pending {
  id: string;
  body: Record<string, unknown>;
  el: HTMLElement;
  status: HTMLElement;
  first: boolean;
  state: "sending" | "failed" | "done";
}

let stopCurrent: (() => void) | null = null;
let onOpen: (() => void) | null = null;
let onPresence: ((online: boolean) => void) | null = null;

function conversation(session: Session): () => void {
  let stopped = false;
  const color = /^#[0-9a-fA-F]{6}$/.test(session.color ?? "") ? session.color! : "#2563eb";
  const fg = textOn(color);
  const colorStyle = `background:${color};border-color:${color};color:${fg}`;
  const businessName = session.businessName || ct("title");
  const preChat = session.preChat ?? {};
  let hasConversation = session.hasConversation === true;
  let online = session.online === true;
  let after = 0;
  /** The server's state number (typing, read marks): passed back, so a change between two polls answers at once. */
  let pollState: number | null = null;
  let maxOperatorSeq = 0;
  let readSent = 0;
  let operatorRead = 0;
  let lastOperatorName = "";
  let unreadReported = -1;
  let contactGiven = session.hasEmail === true;
  const rendered = new Map<number, HTMLElement>();
  const pendings: Pending[] = [];
  document.title = businessName;

  // ---- header ----
  const presenceLabel = h("span", { id: "chat-presence-text" });
  const presence = h("p", { class: "chat-presence", id: "chat-presence", "data-online": "" }, h("span", { class: "dot", "aria-hidden": "true" }), presenceLabel);
  const header = h("header", { class: "chat-header", style: colorStyle },
    h("div", { class: "chat-heading" }, h("h1", { id: "chat-business" }, businessName), presence),
    embedded ? h("button", { type: "button", class: "chat-x", id: "chat-close", "aria-label": ct("close"), title: ct("close"), style: `color:${fg}`, onclick: () => toHost({ type: "parley:chat-close" }) }, "×") : null);

  // ---- the conversation ----
  const greeting = session.greeting ? h("p", { class: "chat-greeting", id: "chat-greeting" }, session.greeting) : null;
  const offline = h("div", { class: "chat-offline", id: "chat-offline", hidden: true },
    h("p", {}, ct("offline.notice")),
    session.replyTime ? h("p", { class: "reply-time" }, ct("offline.replyTime", { time: session.replyTime })) : null);
  const log = h("div", { class: "chat-log", id: "chat-log", role: "log", "aria-live": "polite", "aria-label": ct("log.label") });
  const typing = h("p", { class: "chat-typing", id: "chat-typing", hidden: true, "aria-live": "polite" });
  const seen = h("div", { class: "msg-seen", id: "chat-seen" }, ct("seen"));
  const scroller = h("div", { class: "chat-scroll" }, greeting, offline, log, typing);

  // ---- pre-chat form (with the first message only) ----
  interface Field {
    name: string;
    input: HTMLInputElement;
    error: HTMLElement;
    label: HTMLElement;
    box: HTMLElement;
    title: string;
    mode: "optional" | "required" | "off";
  }
  const fields: Field[] = [];
  const makeField = (name: string, title: string, type: string, autocomplete: string) => {
    const input = h("input", { id: uid(`chat-${name.replace(/\W/g, "-")}`), name, type, autocomplete, maxlength: name === "email" ? 254 : 200 });
    const error = h("div", { class: "field-error", id: `${input.id}-error`, hidden: true });
    input.setAttribute("aria-describedby", error.id);
    const label = h("label", { for: input.id }, title);
    const field: Field = { name, input, error, label, box: h("div", { class: "field" }, label, input, error), title, mode: "off" };
    fields.push(field);
    return field;
  };
  const labels = session.preChatLabels ?? {};
  const emailHint = h("div", { class: "hint", id: uid("chat-email-hint"), hidden: true }, ct("prechat.emailOffline"));
  const contactFields = { name: ["prechat.name", "text", "name"], email: ["prechat.email", "email", "email"], phone: ["prechat.phone", "tel", "tel"] } as const;
  for (const name of ["name", "email", "phone"] as const) {
    const [label, type, autocomplete] = contactFields[name];
    makeField(name, ct(label), type, autocomplete);
  }
  for (const name of Object.keys(preChat)) {
    if (name in contactFields) continue;
    makeField(`customFields.${name}`, labels[name] || name, "text", "off");
  }
  const emailField = fields.find((f) => f.name === "email")!;
  emailField.box.append(emailHint);
  emailField.input.setAttribute("aria-describedby", `${emailField.error.id} ${emailHint.id}`);
  const prechat = h("fieldset", { class: "chat-prechat", id: "chat-prechat" }, h("legend", {}, ct("prechat.title")), fields.map((f) => f.box));
  const updatePrechat = () => {
    for (const f of fields) {
      const configured = preChat[f.name.replace(/^customFields\./, "")];
      // With nobody online the answer has to reach the visitor by e-mail: the address is asked, and required.
      f.mode = f.name === "email" && !online ? "required" : configured ?? "off";
      f.box.hidden = f.mode === "off";
      f.input.required = f.mode === "required";
      f.label.textContent = f.mode === "optional" ? ct("prechat.optional", { label: f.title }) : f.title;
    }
    emailHint.hidden = online;
    prechat.hidden = hasConversation || fields.every((f) => f.mode === "off");
  };

  // ---- alerts, contact (offline, after the first message), composer, transcript ----
  const alert = h("div", { class: "alert error", role: "alert", id: "chat-alert", hidden: true });
  const showAlert = (message: string | null) => {
    alert.hidden = message === null;
    alert.textContent = message ?? "";
  };

  const contactInput = h("input", { id: "chat-contact-email", type: "email", autocomplete: "email", maxlength: 254 });
  const contactError = h("div", { class: "field-error", id: "chat-contact-error", hidden: true });
  contactInput.setAttribute("aria-describedby", contactError.id);
  const contactDone = h("p", { class: "chat-note", role: "status", id: "chat-contact-done", hidden: true }, ct("contact.saved"));
  const contact = h("form", { class: "chat-contact", id: "chat-contact", hidden: true, novalidate: true },
    h("label", { for: contactInput.id }, ct("contact.prompt")),
    h("div", { class: "row" }, contactInput, h("button", { type: "submit", class: "secondary" }, ct("contact.save"))),
    contactError);
  contact.addEventListener("submit", (event) => {
    event.preventDefault();
    const email = contactInput.value.trim();
    contactError.hidden = true;
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      contactError.hidden = false;
      contactError.textContent = ct("error.email");
      contactInput.focus();
      return;
    }
    call("POST", chatPath(key, "contact"), { email }).then(() => true, (error: unknown) => {
      if (error instanceof ChatError && error.problem.status === 409) return true; // the case has an address already
      contactError.hidden = false;
      contactError.textContent = (error instanceof ChatError && Object.values(error.problem.errors ?? {})[0]?.join(" ")) || problemText(error);
      return false;
    }).then((saved) => {
      if (!saved) return;
      contactGiven = true;
      contact.hidden = true;
      contactDone.hidden = false;
    });
  });

  const textarea = h("textarea", { id: "chat-input", name: "text", rows: 2, maxlength: MaxLength, placeholder: ct("composer.placeholder") });
  const counter = h("span", { class: "counter", id: "chat-counter" });
  const composerHint = h("span", { class: "sr-only", id: "chat-input-hint" }, ct("composer.hint"));
  textarea.setAttribute("aria-describedby", `${composerHint.id} ${counter.id}`);
  const textError = h("div", { class: "field-error", id: "chat-input-error", hidden: true });
  const sendButton = h("button", { type: "submit", class: "primary", id: "chat-send", style: colorStyle }, ct("send"));
  const composer = h("form", { class: "chat-composer", id: "chat-composer", novalidate: true },
    h("label", { for: textarea.id, class: "sr-only" }, ct("composer.label")),
    h("div", { class: "row" }, textarea, sendButton),
    h("div", { class: "composer-meta" }, composerHint, counter),
    textError);
  const updateCounter = () => {
    counter.textContent = ct("counter", { count: textarea.value.length, max: MaxLength });
  };
  updateCounter();

  const transcriptEmail = h("input", { id: "chat-transcript-email", type: "email", autocomplete: "email", maxlength: 254 });
  const transcriptError = h("div", { class: "field-error", id: "chat-transcript-error", hidden: true });
  transcriptEmail.setAttribute("aria-describedby", transcriptError.id);
  const transcriptDone = h("p", { class: "chat-note", role: "status", id: "chat-transcript-done", hidden: true }, ct("transcript.sent"));
  const transcriptOpen = h("button", { type: "button", class: "link", id: "chat-transcript-open", hidden: true, "aria-expanded": "false" }, ct("transcript.open"));
  const transcriptForm = h("form", { class: "chat-transcript", id: "chat-transcript", hidden: true, novalidate: true },
    h("label", { for: transcriptEmail.id }, ct("transcript.email")),
    transcriptEmail,
    transcriptError,
    h("div", { class: "row" },
      h("button", { type: "submit", class: "secondary" }, ct("transcript.send")),
      h("button", { type: "button", class: "link", onclick: () => toggleTranscript(false) }, ct("transcript.cancel"))));
  const toggleTranscript = (open: boolean) => {
    transcriptForm.hidden = !open;
    transcriptOpen.setAttribute("aria-expanded", String(open));
    transcriptError.hidden = true;
    if (open) {
      transcriptDone.hidden = true;
      transcriptEmail.focus();
    } else transcriptOpen.focus();
  };
  transcriptOpen.addEventListener("click", () => toggleTranscript(transcriptForm.hidden));
  transcriptForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const email = transcriptEmail.value.trim();
    transcriptError.hidden = true;
    if (email && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      transcriptError.hidden = false;
      transcriptError.textContent = ct("error.email");
      return;
    }
    call("POST", chatPath(key, "transcript"), email ? { email } : {}).then(() => {
      toggleTranscript(false);
      transcriptDone.hidden = false;
    }, (error: unknown) => {
      transcriptError.hidden = false;
      transcriptError.textContent = (error instanceof ChatError && Object.values(error.problem.errors ?? {})[0]?.join(" ")) || problemText(error);
    });
  });

  const footer = h("footer", { class: "chat-footer" }, alert, contact, contactDone, prechat, composer,
    h("div", { class: "chat-extras" }, transcriptOpen, h("span", { class: "powered" }, ct("footer"))), transcriptForm, transcriptDone);

  // ---- the video call, inside the panel ----
  const videoView = h("section", { class: "chat-video", id: "chat-video", hidden: true, "aria-label": ct("video.title") });
  const chatView = h("div", { class: "chat-view" }, scroller, footer);
  const closeVideo = () => {
    replace(videoView);
    videoView.hidden = true;
    chatView.hidden = false;
    textarea.focus();
  };
  const openVideo = (url: string) => {
    const back = h("button", { type: "button", class: "secondary", id: "chat-video-back", onclick: closeVideo }, ct("video.back"));
    const frame = h("iframe", { src: url, title: ct("video.title"), allow: "camera; microphone; autoplay; display-capture", id: "chat-video-frame" });
    replace(videoView, h("div", { class: "video-bar" }, back), frame);
    chatView.hidden = true;
    videoView.hidden = false;
    back.focus();
  };
  /** Only a meeting room on Parley's own origin, with the account's key so the room may be framed by the website. */
  const meetingUrl = (raw: unknown): string | null => {
    if (typeof raw !== "string" || !raw.startsWith(`${location.origin}/`)) return null;
    const hash = raw.indexOf("#");
    const base = hash < 0 ? raw : raw.slice(0, hash);
    return `${base}${base.includes("?") ? "&" : "?"}embed=${encodeURIComponent(key)}${hash < 0 ? "" : raw.slice(hash)}`;
  };

  // ---- messages ----
  const nearBottom = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  const scrollDown = () => {
    scroller.scrollTop = scroller.scrollHeight;
  };
  const bubble = (m: Pick<ChatMessage, "author" | "text" | "operatorName" | "at" | "meetingUrl">, status?: HTMLElement) => {
    const mine = m.author === "visitor";
    const url = mine ? null : meetingUrl(m.meetingUrl);
    return h("div", { class: `msg ${mine ? "msg-visitor" : "msg-operator"}`, "data-author": mine ? "visitor" : "operator" },
      h("div", { class: mine ? "msg-author sr-only" : "msg-author" }, mine ? ct("you") : m.operatorName || ct("operator")),
      h("div", { class: "msg-text", style: mine ? colorStyle : undefined }, m.text),
      url ? h("button", { type: "button", class: "primary video-join", style: colorStyle, onclick: () => openVideo(url) }, ct("video.join")) : null,
      h("div", { class: "msg-meta" }, m.at ? h("time", { datetime: m.at }, formatTime(m.at)) : null, status ?? null));
  };
  /** In sequence order; messages still being sent stay last. */
  const place = (el: HTMLElement, seq: number) => {
    el.dataset.seq = String(seq);
    rendered.set(seq, el);
    for (const child of Array.from(log.children) as HTMLElement[]) {
      if (child === el) continue;
      if (child.dataset.seq === undefined || Number(child.dataset.seq) > seq) {
        log.insertBefore(el, child);
        return;
      }
    }
    log.appendChild(el);
  };
  const updateSeen = () => {
    let last: HTMLElement | null = null;
    let lastSeq = 0;
    for (const [seq, el] of rendered) {
      if (el.dataset.author === "visitor" && seq > lastSeq) {
        lastSeq = seq;
        last = el;
      }
    }
    if (last && operatorRead >= lastSeq) last.appendChild(seen);
    else seen.remove();
  };
  const adopt = (p: Pending, m: ChatMessage) => {
    // Twice for one message when the poll brought it before its own answer did: the second time changes nothing.
    if (p.state === "done") return;
    p.state = "done";
    const index = pendings.indexOf(p);
    if (index >= 0) pendings.splice(index, 1);
    if (rendered.has(m.seq)) {
      p.el.remove();
      return;
    }
    p.status.remove();
    const time = p.el.querySelector(".msg-meta");
    if (time && m.at) time.prepend(h("time", { datetime: m.at }, formatTime(m.at)));
    place(p.el, m.seq);
  };
  const addMessages = (messages: ChatMessage[]) => {
    const stick = nearBottom();
    for (const m of messages) {
      if (typeof m.seq !== "number" || rendered.has(m.seq)) continue;
      if (m.author === "operator") {
        maxOperatorSeq = Math.max(maxOperatorSeq, m.seq);
        if (m.operatorName) lastOperatorName = m.operatorName;
      } else {
        // A message of ours the poll brought before its own answer did.
        const mine = pendings.find((p) => p.state === "sending" && p.body.text === m.text);
        if (mine) {
          adopt(mine, m);
          continue;
        }
      }
      place(bubble(m), m.seq);
    }
    updateSeen();
    if (stick) scrollDown();
  };

  // ---- presence, unread, read marks ----
  const setOnline = (value: boolean) => {
    online = value;
    presence.dataset.online = String(value);
    presenceLabel.textContent = value ? ct("online") : ct("away");
    offline.hidden = value;
    contact.hidden = value || !hasConversation || contactGiven;
    updatePrechat();
  };
  const reportUnread = (count: number) => {
    if (count === unreadReported) return;
    unreadReported = count;
    toHost({ type: "parley:chat-unread", count });
  };
  const markRead = () => {
    if (!panelOpen || !visible()) return;
    reportUnread(0);
    if (maxOperatorSeq > readSent) {
      readSent = maxOperatorSeq;
      void call("POST", chatPath(key, "read"), { seq: readSent }).catch(() => {
        readSent = 0; // told again with the next answer
      });
    }
  };

  // ---- the long poll: one request open while there is a conversation and the page is visible ----
  let polling = false;
  let controller: AbortController | null = null;
  const loop = async () => {
    if (polling || stopped) return;
    polling = true;
    let failures = 0;
    while (!stopped && hasConversation && visible()) {
      controller = new AbortController();
      const started = Date.now();
      let changed = false;
      try {
        const events = await call<ChatEvents>("GET", chatPath(key, `events?after=${after}${pollState === null ? "" : `&state=${pollState}`}`), undefined, controller.signal);
        failures = 0;
        changed = events.messages.length > 0 || events.next !== after || (typeof events.state === "number" && events.state !== pollState);
        if (typeof events.state === "number") pollState = events.state;
        addMessages(events.messages);
        if (typeof events.next === "number") after = events.next;
        else after = Math.max(after, ...events.messages.map((m) => m.seq));
        if (typeof events.online === "boolean" && events.online !== online) {
          setOnline(events.online);
          toHost({ type: "parley:chat-state", online });
        }
        typing.hidden = events.operatorTyping !== true;
        typing.textContent = events.operatorTyping ? ct("typing", { name: lastOperatorName || businessName }) : "";
        if (typeof events.operatorRead === "number" && events.operatorRead !== operatorRead) {
          operatorRead = events.operatorRead;
          updateSeen();
        }
        if (panelOpen && visible()) markRead();
        else reportUnread(typeof events.unread === "number" ? events.unread : Array.from(rendered.keys()).filter((seq) => seq > readSent && rendered.get(seq)!.dataset.author === "operator").length);
      } catch (error) {
        if (controller.signal.aborted || stopped) break;
        if (error instanceof ChatError && error.problem.status === 404) {
          // The chat was switched off meanwhile: say so, and the website removes the launcher.
          stopped = true;
          fatal("error.notFound");
          toHost({ type: "parley:chat-gone" });
          break;
        }
        if (error instanceof ChatError && error.problem.status === 401) {
          // The token expired: a new session brings the same visitor back when it can (cookie), else a new one.
          polling = false;
          void restart();
          return;
        }
        failures++;
        await wait(Math.min(30_000, 1000 * 2 ** Math.min(failures, 5)));
        continue;
      }
      // An answer without news that came at once (the server woke for something already seen): no busy loop.
      if (!changed && Date.now() - started < 1000) await wait(1000);
    }
    controller = null;
    polling = false;
  };
  const onVisibility = () => {
    if (visible()) {
      void loop();
      markRead();
    } else controller?.abort(); // nothing asked while the page is hidden
  };
  document.addEventListener("visibilitychange", onVisibility);

  // ---- sending ----
  const setFieldError = (name: string, message: string | null): boolean => {
    const field = fields.find((f) => f.name.toLowerCase() === name.toLowerCase());
    const target = field ? { error: field.error, input: field.input } : name.toLowerCase() === "text" ? { error: textError, input: textarea } : null;
    if (!target) return false;
    target.error.hidden = message === null;
    target.error.textContent = message ?? "";
    if (message === null) target.input.removeAttribute("aria-invalid");
    else target.input.setAttribute("aria-invalid", "true");
    return true;
  };
  const clearErrors = () => {
    fields.forEach((f) => setFieldError(f.name, null));
    setFieldError("text", null);
    showAlert(null);
  };
  const focusFirstError = () => (footer.querySelector<HTMLElement>('[aria-invalid="true"]') ?? textarea).focus();

  let queue: Promise<void> = Promise.resolve();
  const deliver = async (p: Pending) => {
    p.state = "sending";
    p.status.replaceChildren(ct("sending"));
    p.status.className = "msg-status";
    try {
      // The message itself (docs/chat.md also names it { message }: both are read).
      const answer = await call<ChatMessage & { message?: ChatMessage }>("POST", chatPath(key, "messages"), p.body);
      adopt(p, answer.message ?? answer);
      if (!hasConversation) {
        hasConversation = true;
        prechat.hidden = true;
        transcriptOpen.hidden = false;
        toHost({ type: "parley:chat-state", hasConversation: true, online });
        const email = typeof p.body.email === "string" ? p.body.email : "";
        // Offline without an e-mail field of its own: the address typed for the answer is stored as the contact.
        if (email && !preChat.email) void call("POST", chatPath(key, "contact"), { email }).catch(() => undefined);
        contactGiven = !!email;
        setOnline(online);
        void loop();
      }
    } catch (error) {
      if ((p.state as Pending["state"]) === "done") return; // the poll brought it back meanwhile: it did arrive
      if (error instanceof ChatError && error.problem.status === 400 && error.problem.errors) {
        // The server's word on the form (or the text): shown at the fields; the message goes back into the composer.
        if (pendings.includes(p)) pendings.splice(pendings.indexOf(p), 1);
        p.el.remove();
        if (!textarea.value) {
          textarea.value = String(p.body.text ?? "");
          updateCounter();
        }
        const unmatched: string[] = [];
        for (const [name, messages] of Object.entries(error.problem.errors)) {
          if (!setFieldError(name, messages.join(" "))) unmatched.push(...messages);
        }
        if (unmatched.length) showAlert(unmatched.join(" "));
        focusFirstError();
        return;
      }
      // Not sent: the same client id again on retry, so the server never keeps it twice.
      p.state = "failed";
      p.status.className = "msg-status failed";
      p.status.replaceChildren(
        h("span", {}, `${ct("failed")}${error instanceof OfflineError ? "" : ` (${problemText(error)})`}`),
        " ",
        h("button", { type: "button", class: "link retry", onclick: () => send(p) }, ct("retry")));
    }
  };
  const send = (p: Pending) => {
    p.state = "sending";
    queue = queue.then(() => (stopped ? undefined : deliver(p)));
  };

  const submit = () => {
    clearErrors();
    const value = textarea.value.trim();
    if (!value) {
      textarea.focus();
      return;
    }
    const first = !hasConversation && !pendings.some((p) => p.first);
    const body: Record<string, unknown> = { clientMessageId: newId(), text: value };
    if (first) {
      let invalid = false;
      const customFields: Record<string, string> = {};
      for (const f of fields) {
        if (f.mode === "off") continue;
        const v = f.input.value.trim();
        if (!v && f.mode === "required") invalid = setFieldError(f.name, ct("error.required")) || invalid;
        else if (v && f.name === "email" && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(v)) invalid = setFieldError(f.name, ct("error.email")) || invalid;
        if (!v) continue;
        if (f.name.startsWith("customFields.")) customFields[f.name.slice("customFields.".length)] = v;
        else body[f.name] = v;
      }
      if (invalid) {
        focusFirstError();
        return;
      }
      if (Object.keys(customFields).length) body.customFields = customFields;
      Object.assign(body, {
        pageUrl: context.pageUrl,
        referrer: context.referrer || undefined,
        language: context.language ?? chatLanguage(),
        timeZone: context.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone,
        utm: context.utm && Object.keys(context.utm).length ? context.utm : undefined,
      });
    }
    const status = h("span", { class: "msg-status" });
    const p: Pending = { id: String(body.clientMessageId), body, el: bubble({ author: "visitor", text: value, at: "" }, status), status, first, state: "sending" };
    pendings.push(p);
    log.appendChild(p.el);
    scrollDown();
    textarea.value = "";
    updateCounter();
    send(p);
  };

  let lastTyping = 0;
  textarea.addEventListener("input", () => {
    updateCounter();
    const now = Date.now();
    if (hasConversation && textarea.value.trim() && now - lastTyping >= TypingEvery) {
      lastTyping = now;
      void call("POST", chatPath(key, "typing"), {}).catch(() => undefined);
    }
  });
  textarea.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submit();
    }
  });
  composer.addEventListener("submit", (event) => {
    event.preventDefault();
    submit();
  });

  // ---- put together ----
  root.className = `chat ${embedded ? "chat-embedded" : "chat-page"}`;
  replace(root, header, chatView, videoView);
  transcriptOpen.hidden = !hasConversation;
  setOnline(online);
  if (hasConversation) void loop();
  onOpen = () => {
    if (!videoView.hidden) videoView.querySelector("button")?.focus();
    else (footer.querySelector<HTMLElement>('[aria-invalid="true"]') ?? textarea).focus();
    markRead();
  };
  onPresence = (value) => {
    if (value !== online && !hasConversation) setOnline(value);
  };
  toHost({ type: "parley:chat-ready", color, online, hasConversation });
  if (panelOpen) onOpen();
  else reportUnread(0);

  return () => {
    stopped = true;
    controller?.abort();
    document.removeEventListener("visibilitychange", onVisibility);
  };
}

// ---------------------------------------------------------------------------------------------------------------

async function restart(): Promise<void> {
  stopCurrent?.();
  stopCurrent = null;
  let session: Session;
  try {
    session = await call<Session>("POST", chatPath(key, "session"), { token: storedToken(), identifier: identity.identifier, signature: identity.signature });
  } catch (error) {
    if (error instanceof ChatError && error.problem.status === 404) {
      fatal("error.notFound");
      toHost({ type: "parley:chat-gone" });
    } else if (error instanceof ChatError && error.problem.status === 401) fatal("error.identity");
    else fatal(error instanceof OfflineError ? "error.network" : "error.unexpected", () => void restart());
    return;
  }
  storeToken(session.token);
  stopCurrent = conversation(session);
}

async function fromLink(token: string): Promise<void> {
  let answer: { key: string; session: Session };
  try {
    answer = await call<{ key: string; session: Session }>("POST", "/api/chat/link", { token });
  } catch (error) {
    if (error instanceof ChatError && (error.problem.status === 404 || error.problem.status === 400)) fatal("link.invalid");
    else fatal(error instanceof OfflineError ? "error.network" : "error.unexpected", () => void fromLink(token));
    return;
  }
  key = answer.key;
  storeToken(answer.session.token);
  stopCurrent = conversation(answer.session);
}

addEventListener("message", (event: MessageEvent) => {
  if (!embedded || event.source !== window.parent || (hostOrigin && event.origin !== hostOrigin)) return;
  const data = event.data as Record<string, unknown> | null;
  if (!data || typeof data.type !== "string") return;
  if (data.type === "parley:chat-open") {
    panelOpen = true;
    if (data.context && typeof data.context === "object") context = readContext(data.context as Record<string, unknown>);
    onOpen?.();
  } else if (data.type === "parley:chat-closed") {
    panelOpen = false;
  } else if (data.type === "parley:chat-presence" && typeof data.online === "boolean") {
    onPresence?.(data.online);
  } else if (data.type === "parley:chat-identify") {
    identity = { identifier: text(data.identifier, 200), signature: text(data.signature, 128) };
    void restart();
  }
});
if (embedded) {
  // Escape inside the frame closes the panel (the website's own listener does not hear keys typed in here).
  addEventListener("keydown", (event) => {
    if (event.key === "Escape") toHost({ type: "parley:chat-close" });
  });
}

async function start(): Promise<void> {
  await useLanguage(context.language, navigator.language);
  document.title = ct("title");
  const linkToken = !params.has("key") ? location.hash.slice(1) : "";
  if (linkToken) {
    addEventListener("hashchange", () => location.reload());
    await fromLink(decodeURIComponent(linkToken));
  } else if (key) {
    await restart();
  } else {
    fatal("link.invalid");
  }
}

void start();
