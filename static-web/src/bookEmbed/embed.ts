/**
 * book-embed.js: the booking page on a business's own website (docs/booking.md, "Embed"). Every element with
 * data-parley-booking="<handle>" becomes an inline frame (data-mode="inline"), a trigger for the popup
 * (data-mode="popup", the default) or a floating round button (data-mode="floating", labelled by data-label).
 * data-name, data-email, data-language and data-metadata (JSON) prefill the form. A booking made in a frame is
 * re-dispatched as a "parley:booked" event on the element and on window. Elements added later work too.
 * Global: ParleyBooking.open(handle, { name, email, language, metadata }).
 */
import catalog from "./i18n/texts.json";
import { openBookingPopup } from "./overlay";

interface OpenOptions {
  name?: string;
  email?: string;
  language?: string;
  metadata?: Record<string, unknown>;
  /** Where focus goes back and the "parley:booked" event is dispatched (besides window). */
  element?: HTMLElement | null;
}

/** The popup's close button and the frames' title in the host page's language (this script carries only these). */
const texts: Record<string, { close: string; title: string }> = catalog;

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const flag = "__parleyBookingLoaded";
  const w = window as unknown as Record<string, unknown>;
  if (!script || !script.src || w[flag]) return;
  w[flag] = true;
  const parley = new URL(script.src, location.href).origin;
  const selector = "[data-parley-booking]";
  /** Each frame's element: where its messages are routed. */
  const frames = new Map<HTMLIFrameElement, HTMLElement | null>();
  const prepared = new WeakSet<HTMLElement>();

  const lang = (language?: string) => {
    const code = (language || document.documentElement.lang || navigator.language || "en").slice(0, 2).toLowerCase();
    return texts[code] ? code : "en";
  };

  /** base64url of the UTF-8 JSON (names with accents survive). */
  const encode = (value: unknown) => {
    const bytes = new TextEncoder().encode(JSON.stringify(value));
    let binary = "";
    bytes.forEach((b) => (binary += String.fromCharCode(b)));
    return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  };

  const frameUrl = (handle: string, o: OpenOptions) => {
    const prefill: Record<string, unknown> = {};
    if (o.name) prefill.name = o.name;
    if (o.email) prefill.email = o.email;
    if (o.language) prefill.language = o.language;
    if (o.metadata && typeof o.metadata === "object") prefill.metadata = o.metadata;
    const fragment = Object.keys(prefill).length > 0 ? `#prefill=${encode(prefill)}` : "";
    return `${parley}/book/${encodeURIComponent(handle)}?embed=1&origin=${encodeURIComponent(location.origin)}${fragment}`;
  };

  const optionsOf = (el: HTMLElement): OpenOptions => {
    let metadata: Record<string, unknown> | undefined;
    const raw = el.getAttribute("data-metadata");
    if (raw) {
      try {
        const parsed = JSON.parse(raw) as unknown;
        if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) metadata = parsed as Record<string, unknown>;
      } catch {
        // not JSON: no metadata
      }
    }
    return {
      name: el.getAttribute("data-name") ?? undefined,
      email: el.getAttribute("data-email") ?? undefined,
      language: el.getAttribute("data-language") ?? undefined,
      metadata,
      element: el,
    };
  };

  const open = (handle: string, o: OpenOptions = {}, opener?: HTMLElement) => {
    const l = lang(o.language);
    return openBookingPopup({
      src: frameUrl(handle, o),
      origin: parley,
      title: texts[l]!.title,
      closeLabel: texts[l]!.close,
      opener: opener ?? o.element ?? (document.activeElement instanceof HTMLElement ? document.activeElement : null),
      onFrame: (frame) => frames.set(frame, o.element ?? null),
      onClose: (frame) => frames.delete(frame),
    });
  };

  const inline = (el: HTMLElement, handle: string) => {
    const frame = document.createElement("iframe");
    frame.src = frameUrl(handle, optionsOf(el));
    frame.title = texts[lang(el.getAttribute("data-language") ?? undefined)]!.title;
    frame.setAttribute("data-parley-booking-frame", "inline");
    const f = frame.style;
    f.display = "block";
    f.width = "100%";
    f.height = "640px";
    f.border = "0";
    f.margin = "0";
    frames.set(frame, el);
    el.appendChild(frame);
  };

  const floating = (el: HTMLElement) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = el.getAttribute("data-label") || texts[lang(el.getAttribute("data-language") ?? undefined)]!.title;
    button.setAttribute("aria-haspopup", "dialog");
    button.setAttribute("data-parley-booking-floating", "");
    const s = button.style;
    s.position = "fixed";
    s.right = "20px";
    s.bottom = "20px";
    s.zIndex = "2147483646";
    s.minWidth = s.minHeight = "56px";
    s.padding = "0 22px";
    s.border = "0";
    s.borderRadius = "999px";
    s.background = el.getAttribute("data-color") || "#2b59c3";
    s.color = "#fff";
    s.font = "600 16px/1.2 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
    s.boxShadow = "0 8px 24px rgba(16, 24, 40, 0.3)";
    s.cursor = "pointer";
    // Events go to the element; focus returns to the button (the element itself is only a placeholder).
    button.addEventListener("click", () => {
      const handle = el.getAttribute("data-parley-booking");
      if (handle) open(handle, optionsOf(el), button);
    });
    el.appendChild(button);
  };

  const prepare = () => {
    document.querySelectorAll<HTMLElement>(selector).forEach((el) => {
      if (prepared.has(el)) return;
      const handle = el.getAttribute("data-parley-booking");
      if (!handle) return;
      prepared.add(el);
      const mode = el.getAttribute("data-mode") || "popup";
      if (mode === "inline") inline(el, handle);
      else if (mode === "floating") floating(el);
      else {
        el.setAttribute("aria-haspopup", "dialog");
        if (el.tagName !== "BUTTON" && el.tagName !== "A") {
          if (!el.hasAttribute("role")) el.setAttribute("role", "button");
          if (!el.hasAttribute("tabindex")) el.tabIndex = 0;
        }
      }
    });
  };

  /** A popup trigger under the event's target (inline and floating elements are not triggers themselves). */
  const trigger = (target: EventTarget | null) => {
    const el = target instanceof Element ? (target.closest(selector) as HTMLElement | null) : null;
    const mode = el?.getAttribute("data-mode") || "popup";
    return el && mode === "popup" ? el : null;
  };
  document.addEventListener("click", (event) => {
    const el = trigger(event.target);
    if (!el) return;
    event.preventDefault();
    open(el.getAttribute("data-parley-booking")!, optionsOf(el));
  });
  document.addEventListener("keydown", (event) => {
    const el = trigger(event.target);
    if (!el || el.tagName === "BUTTON" || el.tagName === "A") return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open(el.getAttribute("data-parley-booking")!, optionsOf(el));
    }
  });

  // Messages count only from Parley's own origin and from one of our frames.
  addEventListener("message", (event: MessageEvent) => {
    if (event.origin !== parley) return;
    const data = event.data as { type?: unknown; height?: unknown; booking?: unknown } | null;
    if (!data || typeof data !== "object") return;
    let frame: HTMLIFrameElement | null = null;
    frames.forEach((_, f) => { if (f.contentWindow === event.source) frame = f; });
    if (!frame) return;
    const found: HTMLIFrameElement = frame;
    const owner = frames.get(found) ?? null;
    if (data.type === "parley:height" && typeof data.height === "number" && found.getAttribute("data-parley-booking-frame") === "inline") {
      found.style.height = `${Math.max(200, Math.min(Math.ceil(data.height), 4000))}px`;
    } else if (data.type === "parley:booked" && data.booking && typeof data.booking === "object") {
      const detail = data.booking;
      owner?.dispatchEvent(new CustomEvent("parley:booked", { detail }));
      window.dispatchEvent(new CustomEvent("parley:booked", { detail }));
    }
  });

  (window as unknown as { ParleyBooking: unknown }).ParleyBooking = {
    open: (handle: string, options?: OpenOptions) => open(handle, options ?? {}),
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", prepare);
  else prepare();
  if (typeof MutationObserver === "function") {
    let pending = false;
    new MutationObserver(() => {
      if (pending) return;
      pending = true;
      setTimeout(() => { pending = false; prepare(); }, 50);
    }).observe(document.documentElement, { childList: true, subtree: true });
  }
})();
