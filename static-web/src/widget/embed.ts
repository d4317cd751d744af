/**
 * widget.js: embedded on a business's own website. Every element with data-parley-dialog="WIDGET_KEY" opens the
 * adviser's request form (served by Parley, in a frame) in an overlay. Elements added later work too (one
 * delegated click listener). See docs/dialogs.md, "Embedding".
 *
 * Each button also shows whether its adviser is online or away: a data-parley-status attribute, a small dot and a
 * visually hidden description, all styled through element.style (the host's CSP is unknown). The status is asked
 * once per distinct widget key every 20 s while the page is visible (data-presence-poll-ms, at least 1000, makes
 * tests faster), not at all while it is hidden, and at once when it is shown again.
 */
import { openParleyDialog } from "./overlay";
import { fetchAdviserStatus, presenceText, type AdviserStatus } from "./presenceTexts";

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

  // ---- the adviser's status on each button ----
  const defaultPoll = 20_000;
  const statuses = new Map<string, AdviserStatus>();
  const timers = new Map<string, ReturnType<typeof setTimeout>>();
  const decorations = new WeakMap<HTMLElement, { dot: HTMLElement; text: HTMLElement }>();
  let nextId = 0;

  const buttons = (key?: string) =>
    Array.from(document.querySelectorAll<HTMLElement>(selector)).filter((el) => key === undefined || el.getAttribute("data-parley-dialog") === key);

  const paint = (el: HTMLElement) => {
    const key = el.getAttribute("data-parley-dialog");
    const status = key ? statuses.get(key) : undefined;
    if (!status) return;
    let decoration = decorations.get(el);
    if (!decoration || !decoration.dot.isConnected || !decoration.text.isConnected) {
      const dot = document.createElement("span");
      dot.setAttribute("aria-hidden", "true");
      dot.setAttribute("data-parley-status-dot", "");
      Object.assign(dot.style, { display: "inline-block", width: "0.55em", height: "0.55em", marginLeft: "0.45em", borderRadius: "50%", verticalAlign: "middle", boxShadow: "0 0 0 1px rgba(255,255,255,.85)" });
      const text = document.createElement("span");
      text.id = `parley-status-${++nextId}`;
      Object.assign(text.style, { position: "absolute", width: "1px", height: "1px", margin: "-1px", padding: "0", border: "0", overflow: "hidden", clip: "rect(0 0 0 0)", whiteSpace: "nowrap" });
      el.appendChild(dot);
      document.body.appendChild(text);
      const described = (el.getAttribute("aria-describedby") ?? "").split(/\s+/).filter((id) => id && !id.startsWith("parley-status-"));
      el.setAttribute("aria-describedby", [...described, text.id].join(" "));
      decoration = { dot, text };
      decorations.set(el, decoration);
    }
    if (el.getAttribute("data-parley-status") === status) return;
    el.setAttribute("data-parley-status", status);
    decoration.dot.style.background = status === "online" ? "#12b76a" : "#98a2b3";
    decoration.text.textContent = presenceText(document.documentElement.lang || navigator.language || "", status === "online" ? "buttonOnline" : "buttonAway");
  };

  /** The poll period of a key: the shortest data-presence-poll-ms among its buttons (at least 1000), else 20 s. */
  const periodOf = (key: string) => {
    const asked = buttons(key).map((el) => Number(el.getAttribute("data-presence-poll-ms"))).filter((ms) => Number.isFinite(ms) && ms > 0);
    return asked.length ? Math.max(1000, Math.min(...asked)) : defaultPoll;
  };

  /** Keys with a poll planned or under way; a hidden page starts a new generation, and older polls stop. */
  const pending = new Set<string>();
  let generation = 0;
  const hidden = () => document.visibilityState === "hidden";

  const schedule = (key: string, delay: number) => {
    const gen = generation;
    pending.add(key);
    timers.set(key, setTimeout(() => void poll(key, gen), delay));
  };

  const poll = async (key: string, gen: number) => {
    timers.delete(key);
    if (gen !== generation) return;
    if (hidden() || buttons(key).length === 0) {
      pending.delete(key);
      return;
    }
    const status = await fetchAdviserStatus(origin, key);
    if (gen !== generation) return; // hidden meanwhile: the next generation asks again
    if (status) {
      statuses.set(key, status);
      buttons(key).forEach(paint);
    }
    if (hidden() || buttons(key).length === 0) {
      pending.delete(key);
      return;
    }
    schedule(key, periodOf(key));
  };

  /** Paints the buttons and starts polling keys that are on the page and not polled yet. */
  const watch = () => {
    for (const el of buttons()) {
      const key = el.getAttribute("data-parley-dialog");
      if (!key) continue;
      paint(el);
      if (!hidden() && !pending.has(key)) schedule(key, 0);
    }
  };

  document.addEventListener("visibilitychange", () => {
    if (hidden()) {
      generation++;
      timers.forEach((timer) => clearTimeout(timer));
      timers.clear();
      pending.clear();
    } else {
      watch(); // refreshed at once, then every period again
    }
  });

  /** Non-button triggers (a div, a span) become reachable and operable by keyboard. */
  const prepare = () => {
    document.querySelectorAll<HTMLElement>(selector).forEach((el) => {
      el.setAttribute("aria-haspopup", "dialog");
      if (el.tagName !== "BUTTON" && el.tagName !== "A") {
        if (!el.hasAttribute("role")) el.setAttribute("role", "button");
        if (!el.hasAttribute("tabindex")) el.tabIndex = 0;
      }
    });
    watch();
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
