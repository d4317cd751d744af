/**
 * chat-embed.js: the website live chat on a business's own website (docs/chat.md, "Widget"). One tag:
 *   <script src="https://<parley>/chat-embed.js" data-parley-chat="<ACCOUNT_KEY>" async></script>
 * draws a launcher button (bottom right) that opens Parley's chat page (/chat?key=…) in a panel. Global:
 * ParleyChat.open(), close(), toggle(), identify({ identifier, signature }); events on window: parley:chat-open,
 * parley:chat-close, parley:chat-unread ({ count }). Calls queued before the script ran (window.ParleyChat = [["open"]])
 * are run once it has.
 *
 * Request budget: without a conversation, the launcher asks GET /api/chat/{key}/presence every 30 s while the page is
 * visible (data-presence-poll-ms, at least 1000, for tests), never while it is hidden. Opening and closing sends
 * nothing (the case is created by the first message, in the frame). Once the visitor has a conversation, the frame
 * is loaded at once (hidden) on every page and its one long poll replaces the presence poll (it carries presence,
 * unread count and typing). Whether the visitor has a conversation is remembered in this website's own localStorage
 * (first-party, so not blocked like the frame's), with the account's colour, so the launcher has it before the frame.
 *
 * No imports beyond its texts, no markup: the host's CSP is unknown, so every style goes through element.style.
 */
import catalog from "./i18n/texts.json";

type Texts = (typeof catalog)["en"];
const texts: Record<string, Texts> = catalog;

interface Identity {
  identifier?: string;
  signature?: string;
}

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const w = window as unknown as Record<string, unknown>;
  const key = script?.getAttribute("data-parley-chat");
  if (!script || !script.src || !key || w.__parleyChatLoaded) return;
  w.__parleyChatLoaded = true;
  const parley = new URL(script.src, location.href).origin;
  const asked = Number(script.getAttribute("data-presence-poll-ms"));
  const pollMs = asked > 0 ? Math.max(1000, asked) : 30_000;
  const doc = document;
  const language = () => doc.documentElement.lang || navigator.language || "en";
  const tx = (): Texts => texts[language().slice(0, 2).toLowerCase()] ?? catalog.en;
  const hexColor = (value: unknown) => (typeof value === "string" && /^#[0-9a-fA-F]{6}$/.test(value) ? value : null);
  const str = (value: unknown) => (typeof value === "string" && value ? value.slice(0, 500) : undefined);

  // ---- what this website remembers: the account's colour and whether the visitor has a conversation ----
  const storeKey = `parley-chat:${key}`;
  let memory: { c?: string; v?: number } = {};
  try {
    memory = JSON.parse(localStorage.getItem(storeKey) ?? "{}") ?? {};
  } catch {
    // storage blocked or garbage: start without
  }
  const remember = () => {
    try {
      localStorage.setItem(storeKey, JSON.stringify(memory));
    } catch {
      // nothing to do: the launcher just asks again
    }
  };

  let color = hexColor(script.getAttribute("data-color")) ?? hexColor(memory.c) ?? "#2563eb";
  let conversation = memory.v === 1;
  let online: boolean | null = null;
  let unread = 0;
  let isOpen = false;
  let gone = false;
  let identity: Identity = { identifier: str(script.getAttribute("data-identifier")), signature: str(script.getAttribute("data-signature")) };

  /** White text on dark colours, dark text on light ones (the same rule as the frame's). */
  const textOn = (hex: string) => {
    const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? "#111827" : "#ffffff";
  };
  const el = <K extends keyof HTMLElementTagNameMap>(tag: K, styles: Partial<CSSStyleDeclaration>, attrs: Record<string, string> = {}) => {
    const node = doc.createElement(tag);
    Object.assign(node.style, styles);
    for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
    return node;
  };
  const hiddenText = () => el("span", { position: "absolute", width: "1px", height: "1px", margin: "-1px", padding: "0", border: "0", overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" });
  const fixed = { position: "fixed", zIndex: "2147483646", boxSizing: "border-box", margin: "0" } as const;

  // ---- the launcher ----
  const launcher = el("button", { ...fixed, right: "20px", bottom: "20px", width: "60px", height: "60px", padding: "0", border: "0", borderRadius: "50%", cursor: "pointer",
    boxShadow: "0 6px 20px rgba(16, 24, 40, 0.3)", display: "flex", alignItems: "center", justifyContent: "center", font: "600 14px/1 system-ui, sans-serif" },
  { type: "button", "data-parley-chat-launcher": "", "aria-expanded": "false", "aria-controls": "parley-chat-panel" });
  const svg = doc.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "28");
  svg.setAttribute("height", "28");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const icon = doc.createElementNS("http://www.w3.org/2000/svg", "path");
  icon.setAttribute("fill", "currentColor");
  svg.appendChild(icon);
  const chatIcon = "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z";
  const closeIcon = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6l5.6-5.6L5 6.4z";
  const label = hiddenText();
  const badge = el("span", { position: "absolute", top: "-4px", right: "-4px", minWidth: "22px", height: "22px", padding: "0 6px", borderRadius: "11px", background: "#d92d20", color: "#fff",
    font: "700 12px/22px system-ui, sans-serif", textAlign: "center", display: "none", boxSizing: "border-box" }, { "aria-hidden": "true", "data-parley-chat-badge": "" });
  const unreadText = hiddenText();
  unreadText.setAttribute("data-parley-chat-unread", "");
  const dot = el("span", { position: "absolute", bottom: "2px", right: "2px", width: "14px", height: "14px", borderRadius: "50%", border: "2px solid #fff", boxSizing: "border-box", display: "none" },
    { "aria-hidden": "true", "data-parley-chat-dot": "" });
  const presenceText = hiddenText();
  launcher.append(svg, label, badge, unreadText, dot, presenceText);

  // ---- the panel: Parley's chat page in a frame ----
  const panel = el("div", { ...fixed, overflow: "hidden", background: "#fff", boxShadow: "0 20px 50px rgba(16, 24, 40, 0.35)", visibility: "hidden", opacity: "0", transition: "opacity .15s" },
    { id: "parley-chat-panel", role: "dialog", "data-parley-chat-panel": "" });
  let frame: HTMLIFrameElement | null = null;
  const narrow = typeof matchMedia === "function" ? matchMedia("(max-width: 480px)") : null;

  const layout = () => {
    const small = !!narrow?.matches;
    Object.assign(panel.style, small
      ? { top: "0", left: "0", right: "0", bottom: "0", width: "100%", height: "100%", maxHeight: "none", borderRadius: "0" }
      : { top: "auto", left: "auto", right: "20px", bottom: "92px", width: "380px", height: "600px", maxWidth: "calc(100vw - 40px)", maxHeight: "calc(100vh - 112px)", borderRadius: "14px" });
    // On a phone the panel covers the page and brings its own close button; the launcher would sit on top of it.
    launcher.style.display = gone || (small && isOpen) ? "none" : "flex";
  };

  const paint = () => {
    const t = tx();
    const fg = textOn(color);
    launcher.style.background = color;
    launcher.style.color = fg;
    icon.setAttribute("d", isOpen ? closeIcon : chatIcon);
    label.textContent = isOpen ? t.close : t.open;
    launcher.setAttribute("aria-expanded", String(isOpen));
    badge.style.display = unread > 0 && !isOpen ? "block" : "none";
    badge.textContent = unread > 99 ? "99+" : String(unread);
    unreadText.textContent = unread > 0 ? `, ${t.unread.replace("{count}", String(unread))}` : "";
    dot.style.display = online === null ? "none" : "block";
    dot.style.background = online ? "#12b76a" : "#98a2b3";
    launcher.setAttribute("data-parley-status", online === null ? "" : online ? "online" : "away");
    presenceText.textContent = online === null ? "" : `, ${online ? t.online : t.away}`;
    panel.setAttribute("aria-label", t.title);
    if (frame) frame.title = t.title;
    layout();
  };

  const emit = (name: string, detail?: unknown) => dispatchEvent(new CustomEvent(name, { detail }));
  const toFrame = (message: Record<string, unknown>) => frame?.contentWindow?.postMessage(message, parley);

  /** The page the visitor is on, for the case (sent with the first message only). */
  const context = () => {
    const search = new URLSearchParams(location.search);
    const utm: Record<string, string> = {};
    for (const name of ["source", "medium", "campaign", "term", "content"]) {
      const value = search.get(`utm_${name}`);
      if (value) utm[name] = value.slice(0, 200);
    }
    let timeZone = "";
    try {
      timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch {
      // an old engine: no zone
    }
    return { pageUrl: location.href.split("#")[0]!.slice(0, 2000), referrer: doc.referrer.slice(0, 2000), language: language(), timeZone, utm };
  };

  /** base64url of the UTF-8 JSON, for the frame URL's fragment (never sent to a server). */
  const encode = (value: unknown) => {
    let binary = "";
    new TextEncoder().encode(JSON.stringify(value)).forEach((b) => (binary += String.fromCharCode(b)));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const mount = () => {
    if (frame || gone) return;
    frame = el("iframe", { display: "block", width: "100%", height: "100%", border: "0", margin: "0" }, {
      src: `${parley}/chat?key=${encodeURIComponent(key)}&origin=${encodeURIComponent(location.origin)}#c=${encode({ ...context(), ...identity, open: isOpen })}`,
      allow: "camera; microphone; autoplay; display-capture; fullscreen",
      referrerpolicy: "no-referrer",
      "data-parley-chat-frame": "",
    });
    panel.appendChild(frame);
    paint();
  };

  const setOpen = (open: boolean) => {
    if (gone || open === isOpen) return;
    isOpen = open;
    if (open) {
      mount();
      panel.style.visibility = "visible";
      panel.style.opacity = "1";
      toFrame({ type: "parley:chat-open", context: context() });
      frame?.focus();
    } else {
      panel.style.visibility = "hidden";
      panel.style.opacity = "0";
      toFrame({ type: "parley:chat-closed" });
    }
    paint();
    if (!open) launcher.focus(); // once painted: on a phone the launcher was hidden while the panel was open
    emit(open ? "parley:chat-open" : "parley:chat-close");
  };

  const setUnread = (count: number) => {
    if (count === unread) return;
    unread = count;
    paint();
    emit("parley:chat-unread", { count });
  };

  const setConversation = (value: boolean) => {
    if (value === conversation) return;
    conversation = value;
    memory.v = value ? 1 : 0;
    remember();
    restartPolling();
  };

  // ---- presence while there is no conversation ----
  let timer: ReturnType<typeof setTimeout> | undefined;
  let generation = 0;
  const polling = () => !gone && !conversation && doc.visibilityState !== "hidden";
  const poll = async (gen: number) => {
    timer = undefined;
    if (gen !== generation || !polling()) return;
    try {
      const response = await fetch(`${parley}/api/chat/${encodeURIComponent(key)}/presence`, { credentials: "omit", cache: "no-store" });
      if (response.status === 404) return shutDown();
      if (response.ok) {
        const body = (await response.json()) as { online?: unknown };
        online = body.online === true;
        paint();
        toFrame({ type: "parley:chat-presence", online });
      }
    } catch {
      // offline for a moment: ask again next time
    }
    if (gen === generation && polling()) timer = setTimeout(() => void poll(gen), pollMs);
  };
  const restartPolling = () => {
    generation++;
    clearTimeout(timer);
    timer = undefined;
    if (polling()) void poll(generation);
  };

  const shutDown = () => {
    gone = true;
    isOpen = false;
    launcher.remove();
    panel.remove();
    restartPolling();
  };

  addEventListener("message", (event: MessageEvent) => {
    if (!frame || event.origin !== parley || event.source !== frame.contentWindow) return;
    const data = event.data as Record<string, unknown> | null;
    if (!data || typeof data.type !== "string") return;
    if (data.type === "parley:chat-close") setOpen(false);
    else if (data.type === "parley:chat-gone") shutDown();
    else if (data.type === "parley:chat-unread" && typeof data.count === "number") setUnread(Math.max(0, Math.floor(data.count)));
    else if (data.type === "parley:chat-ready" || data.type === "parley:chat-state") {
      const c = hexColor(data.color);
      if (c && c !== color) {
        color = memory.c = c;
        remember();
      }
      if (typeof data.online === "boolean") online = data.online;
      if (typeof data.hasConversation === "boolean") setConversation(data.hasConversation);
      if (data.type === "parley:chat-ready" && isOpen) toFrame({ type: "parley:chat-open", context: context() });
      paint();
    }
  });

  launcher.addEventListener("click", () => setOpen(!isOpen));
  doc.addEventListener("keydown", (event) => {
    if (isOpen && event.key === "Escape") setOpen(false);
  });
  doc.addEventListener("visibilitychange", restartPolling);
  narrow?.addEventListener?.("change", layout);

  const api = {
    open: () => setOpen(true),
    close: () => setOpen(false),
    toggle: () => setOpen(!isOpen),
    identify: (who: Identity) => {
      if (!who || typeof who.identifier !== "string" || !who.identifier) throw new TypeError("ParleyChat.identify({ identifier, signature }): identifier must be a non-empty string");
      identity = { identifier: str(who.identifier), signature: str(who.signature) };
      toFrame({ type: "parley:chat-identify", ...identity });
    },
  };
  const queued = Array.isArray(w.ParleyChat) ? (w.ParleyChat as unknown[]) : [];
  w.ParleyChat = api;

  const start = () => {
    doc.body.append(launcher, panel);
    paint();
    if (conversation) mount(); // its long poll brings unread messages and presence
    restartPolling();
    for (const call of queued) {
      if (Array.isArray(call) && typeof call[0] === "string" && call[0] in api) (api as Record<string, (arg?: unknown) => void>)[call[0]]!(call[1]);
    }
  };
  if (doc.body) start();
  else doc.addEventListener("DOMContentLoaded", start);
})();
