/**
 * A Parley page in a frame over a host website: a backdrop with a centred dialog (full screen on phones). Shared by
 * the dialog widget (widget/overlay.ts; also the dashboard's preview) and the booking popup (bookEmbed/overlay.ts).
 * No imports, no side effects: the host page's CSP is unknown, so every style is set through element.style (the
 * CSSOM), never as markup. Escape, a click on the backdrop, the optional close button and a `parley:close` message from
 * the frame close it; focus goes back to the opener afterwards.
 */
export interface FrameOverlayOptions {
  src: string;
  title: string;
  /** The dialog's size on larger screens, e.g. "420px" × "640px". */
  width: string;
  height: string;
  /** The origin a `{type: "parley:close"}` message from the frame must come from to close the overlay. */
  origin: string;
  opener?: HTMLElement | null;
  /** A close button inside the dialog (its accessible label); it then takes focus, and focus stays inside the dialog. */
  closeLabel?: string;
  /** Attributes marking the parts, for the embedding script and tests. */
  marks?: { backdrop?: string; frame?: [string, string]; close?: string };
  onFrame?: (frame: HTMLIFrameElement) => void;
  onClose?: (frame: HTMLIFrameElement) => void;
}

let openOverlay: (() => void) | null = null;

export function openFrameOverlay(options: FrameOverlayOptions): () => void {
  if (openOverlay) return openOverlay;
  const doc = document;
  const small = typeof matchMedia === "function" && matchMedia("(max-width: 480px)").matches;

  const backdrop = doc.createElement("div");
  if (options.marks?.backdrop) backdrop.setAttribute(options.marks.backdrop, "");
  const bs = backdrop.style;
  bs.position = "fixed";
  bs.top = bs.left = bs.right = bs.bottom = "0";
  bs.zIndex = "2147483647";
  bs.background = "rgba(16, 24, 40, 0.55)";
  bs.display = "flex";
  bs.alignItems = "center";
  bs.justifyContent = "center";
  bs.margin = "0";
  bs.padding = small ? "0" : "16px";

  const box = doc.createElement("div");
  box.setAttribute("role", "dialog");
  box.setAttribute("aria-modal", "true");
  box.setAttribute("aria-label", options.title);
  const s = box.style;
  s.position = "relative";
  s.boxSizing = "border-box";
  s.width = small ? "100%" : options.width;
  s.height = small ? "100%" : options.height;
  s.maxWidth = "100%";
  s.maxHeight = "100%";
  s.background = "#fff";
  s.borderRadius = small ? "0" : "12px";
  s.overflow = "hidden";
  s.boxShadow = "0 20px 50px rgba(16, 24, 40, 0.35)";

  let closeButton: HTMLButtonElement | null = null;
  if (options.closeLabel) {
    closeButton = doc.createElement("button");
    closeButton.type = "button";
    closeButton.setAttribute("aria-label", options.closeLabel);
    if (options.marks?.close) closeButton.setAttribute(options.marks.close, "");
    closeButton.textContent = "×";
    const c = closeButton.style;
    c.position = "absolute";
    c.top = "6px";
    c.right = "6px";
    c.zIndex = "1";
    c.width = c.height = "40px";
    c.border = "0";
    c.borderRadius = "999px";
    c.background = "rgba(255, 255, 255, 0.92)";
    c.color = "#1c2433";
    c.font = "28px/1 system-ui, sans-serif";
    c.cursor = "pointer";
    c.padding = "0";
    c.margin = "0";
    box.appendChild(closeButton);
  }

  const frame = doc.createElement("iframe");
  frame.src = options.src;
  frame.title = options.title;
  frame.setAttribute("referrerpolicy", "no-referrer");
  if (options.marks?.frame) frame.setAttribute(options.marks.frame[0], options.marks.frame[1]);
  const f = frame.style;
  f.display = "block";
  f.width = "100%";
  f.height = "100%";
  f.border = "0";
  f.margin = "0";
  box.appendChild(frame);
  backdrop.appendChild(box);

  const root = doc.documentElement;
  const overflow = root.style.overflow;
  root.style.overflow = "hidden";

  const close = () => {
    removeEventListener("message", onMessage);
    doc.removeEventListener("keydown", onKey, true);
    doc.removeEventListener("focusin", onFocus, true);
    backdrop.remove();
    root.style.overflow = overflow;
    openOverlay = null;
    options.onClose?.(frame);
    options.opener?.focus();
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  };
  const onMessage = (event: MessageEvent) => {
    const data = event.data as { type?: unknown } | null;
    if (event.origin === options.origin && event.source === frame.contentWindow && data && data.type === "parley:close") close();
  };
  // With a close button, focus that leaves the dialog (Tab past the frame's last field) comes back to it.
  const onFocus = (event: FocusEvent) => {
    if (closeButton && event.target instanceof Node && !box.contains(event.target)) closeButton.focus();
  };
  closeButton?.addEventListener("click", close);
  backdrop.addEventListener("click", (event) => {
    if (event.target === backdrop) close();
  });
  doc.addEventListener("keydown", onKey, true);
  doc.addEventListener("focusin", onFocus, true);
  addEventListener("message", onMessage);
  doc.body.appendChild(backdrop);
  options.onFrame?.(frame);
  // A close button takes focus (focusing into a frame that is still loading is not reliable); otherwise the frame.
  if (closeButton) closeButton.focus();
  else frame.focus();
  openOverlay = close;
  return close;
}
