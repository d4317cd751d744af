/**
 * The adviser-dialog overlay: a backdrop with a centred frame showing Parley's widget page. Used by the embed
 * loader on customers' websites (widget.js) and by the dashboard's preview button. No imports, no side effects:
 * the host page's CSP is unknown, so every style is set through element.style (the CSSOM), never as markup.
 */
export interface OverlayOptions {
  origin: string;
  widgetKey: string;
  color: string;
  lang: string;
  title: string;
  /** Where focus goes back when the overlay closes. */
  opener?: HTMLElement | null;
}

let openOverlay: (() => void) | null = null;

export function openParleyDialog(options: OverlayOptions): () => void {
  if (openOverlay) return openOverlay;
  const doc = document;
  const small = typeof matchMedia === "function" && matchMedia("(max-width: 480px)").matches;

  const backdrop = doc.createElement("div");
  const bs = backdrop.style;
  bs.position = "fixed";
  bs.inset = "0";
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
  s.width = small ? "100%" : "420px";
  s.height = small ? "100%" : "640px";
  s.maxWidth = "100%";
  s.maxHeight = "100%";
  s.background = "#fff";
  s.borderRadius = small ? "0" : "12px";
  s.overflow = "hidden";
  s.boxShadow = "0 20px 50px rgba(16, 24, 40, 0.35)";

  const frame = doc.createElement("iframe");
  const query = `color=${encodeURIComponent(options.color)}&lang=${encodeURIComponent(options.lang)}`;
  frame.src = `${options.origin}/widget/${encodeURIComponent(options.widgetKey)}?${query}`;
  frame.title = options.title;
  frame.setAttribute("referrerpolicy", "no-referrer");
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
    backdrop.remove();
    root.style.overflow = overflow;
    openOverlay = null;
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
  backdrop.addEventListener("click", (event) => {
    if (event.target === backdrop) close();
  });
  doc.addEventListener("keydown", onKey, true);
  addEventListener("message", onMessage);
  doc.body.appendChild(backdrop);
  frame.focus();
  openOverlay = close;
  return close;
}
