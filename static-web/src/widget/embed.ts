/**
 * widget.js: embedded on a business's own website. Every element with data-parley-dialog="WIDGET_KEY" opens the
 * adviser's request form (served by Parley, in a frame) in an overlay. Elements added later work too (one
 * delegated click listener). See docs/dialogs.md, "Embedding".
 */
import { openParleyDialog } from "./overlay";

(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  const flag = "__parleyDialogLoaded";
  const w = window as unknown as Record<string, unknown>;
  if (!script || !script.src || w[flag]) return;
  w[flag] = true;
  const origin = new URL(script.src, location.href).origin;
  const selector = "[data-parley-dialog]";

  const open = (trigger: HTMLElement) => {
    const key = trigger.getAttribute("data-parley-dialog");
    if (!key) return;
    openParleyDialog({
      origin,
      widgetKey: key,
      color: trigger.getAttribute("data-color") ?? "",
      lang: document.documentElement.lang || navigator.language || "",
      title: (trigger.textContent ?? "").trim() || "Parley",
      opener: trigger,
    });
  };

  /** Non-button triggers (a div, a span) become reachable and operable by keyboard. */
  const prepare = () => {
    document.querySelectorAll<HTMLElement>(selector).forEach((el) => {
      el.setAttribute("aria-haspopup", "dialog");
      if (el.tagName !== "BUTTON" && el.tagName !== "A") {
        if (!el.hasAttribute("role")) el.setAttribute("role", "button");
        if (!el.hasAttribute("tabindex")) el.tabIndex = 0;
      }
    });
  };

  const find = (target: EventTarget | null) =>
    target instanceof Element ? (target.closest(selector) as HTMLElement | null) : null;

  document.addEventListener("click", (event) => {
    const trigger = find(event.target);
    if (!trigger) return;
    event.preventDefault();
    open(trigger);
  });
  document.addEventListener("keydown", (event) => {
    const trigger = find(event.target);
    if (!trigger || trigger.tagName === "BUTTON" || trigger.tagName === "A") return;
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      open(trigger);
    }
  });
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
