/**
 * The booking popup on a host website: a backdrop with a centred frame and a close button. Modelled on the dialog
 * widget's overlay (src/widget/overlay.ts): the host page's CSP is unknown, so every style is set through
 * element.style (the CSSOM), never as markup. Escape, the close button and a click on the backdrop close it;
 * focus stays inside while it is open and goes back to the trigger afterwards.
 */
export interface PopupOptions {
  src: string;
  title: string;
  closeLabel: string;
  opener?: HTMLElement | null;
  /** Called with the frame once it is in the page (so the embed can route its messages). */
  onFrame?: (frame: HTMLIFrameElement) => void;
  onClose?: (frame: HTMLIFrameElement) => void;
}

let openPopup: (() => void) | null = null;

export function openBookingPopup(options: PopupOptions): () => void {
  if (openPopup) return openPopup;
  const doc = document;
  const small = typeof matchMedia === "function" && matchMedia("(max-width: 480px)").matches;

  const backdrop = doc.createElement("div");
  backdrop.setAttribute("data-parley-booking-overlay", "");
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
  s.width = small ? "100%" : "760px";
  s.height = small ? "100%" : "720px";
  s.maxWidth = "100%";
  s.maxHeight = "100%";
  s.background = "#fff";
  s.borderRadius = small ? "0" : "12px";
  s.overflow = "hidden";
  s.boxShadow = "0 20px 50px rgba(16, 24, 40, 0.35)";

  const close = doc.createElement("button");
  close.type = "button";
  close.setAttribute("aria-label", options.closeLabel);
  close.setAttribute("data-parley-booking-close", "");
  close.textContent = "×";
  const c = close.style;
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

  const frame = doc.createElement("iframe");
  frame.src = options.src;
  frame.title = options.title;
  frame.setAttribute("data-parley-booking-frame", "popup");
  const f = frame.style;
  f.display = "block";
  f.width = "100%";
  f.height = "100%";
  f.border = "0";
  f.margin = "0";
  box.appendChild(close);
  box.appendChild(frame);
  backdrop.appendChild(box);

  const root = doc.documentElement;
  const overflow = root.style.overflow;
  root.style.overflow = "hidden";

  const shut = () => {
    doc.removeEventListener("keydown", onKey, true);
    doc.removeEventListener("focusin", onFocus, true);
    backdrop.remove();
    root.style.overflow = overflow;
    openPopup = null;
    options.onClose?.(frame);
    options.opener?.focus();
  };
  const onKey = (event: KeyboardEvent) => {
    if (event.key === "Escape") {
      event.preventDefault();
      shut();
    }
  };
  // Focus that leaves the dialog (Tab past the frame's last field) comes back to the close button.
  const onFocus = (event: FocusEvent) => {
    if (event.target instanceof Node && !box.contains(event.target)) close.focus();
  };
  close.addEventListener("click", shut);
  backdrop.addEventListener("click", (event) => {
    if (event.target === backdrop) shut();
  });
  doc.addEventListener("keydown", onKey, true);
  doc.addEventListener("focusin", onFocus, true);
  doc.body.appendChild(backdrop);
  options.onFrame?.(frame);
  // The dialog's first control takes focus (focusing into a frame that is still loading is not reliable); Tab goes on into the page.
  close.focus();
  openPopup = shut;
  return shut;
}
