import { h, replace } from "../dom";
import type { ChatMessage } from "./roomClient";

/** The chat of a meeting room, for both sides. Every message is set as text (never HTML), whatever it holds. */
export interface ChatLabels {
  title: string;
  label: string;
  send: string;
  empty: string;
  failed: string;
  you: string;
  locale: string;
}

export interface ChatPanel {
  element: HTMLElement;
  add(message: ChatMessage): void;
  setEnabled(enabled: boolean, reason?: string): void;
}

export function chatPanel(labels: ChatLabels, me: string, send: (text: string) => Promise<void>): ChatPanel {
  const shown = new Set<string>();
  const list = h("ol", { class: "thread room-chat-list", "aria-label": labels.title, "aria-live": "polite" });
  const empty = h("p", { class: "muted room-chat-empty" }, labels.empty);
  const input = h("textarea", { id: "room-chat-input", rows: 2, maxlength: 2000, "aria-label": labels.label, placeholder: labels.label });
  const button = h("button", { type: "submit", class: "primary" }, labels.send);
  const error = h("p", { class: "field-error", role: "alert", hidden: true });
  const note = h("p", { class: "muted room-chat-note", hidden: true });
  const form = h("form", { class: "room-chat-form" }, input, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    button.disabled = true;
    error.hidden = true;
    try {
      await send(text);
      input.value = "";
    } catch {
      error.textContent = labels.failed;
      error.hidden = false;
    } finally {
      button.disabled = false;
      input.focus();
    }
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  const element = h("section", { class: "room-chat", "aria-label": labels.title }, h("h2", {}, labels.title), empty, list, note, form, error);
  return {
    element,
    add(message) {
      if (shown.has(message.id)) return;
      shown.add(message.id);
      empty.remove();
      const mine = message.participantId === me;
      list.append(h("li", { class: `msg ${mine ? "mine" : "theirs"}`, "data-author": message.author },
        h("div", { class: "msg-meta" },
          h("span", { class: "msg-author" }, mine ? labels.you : message.authorName), " · ",
          h("time", { datetime: message.at }, new Intl.DateTimeFormat(labels.locale, { hour: "2-digit", minute: "2-digit" }).format(new Date(message.at)))),
        h("p", { class: "msg-text" }, message.text)));
      list.lastElementChild?.scrollIntoView({ block: "nearest" });
    },
    setEnabled(enabled, reason) {
      input.disabled = !enabled;
      button.disabled = !enabled;
      note.hidden = enabled || !reason;
      if (reason) note.textContent = reason;
    },
  };
}

/** The video area: the own picture and the others' (filled by the media module). */
export function videoArea(title: string, youLabel: string): { element: HTMLElement; local: HTMLVideoElement; remotes: HTMLElement } {
  const local = h("video", { class: "local-video", autoplay: true, playsinline: true, "aria-label": youLabel });
  local.muted = true;
  const remotes = h("div", { class: "remote-videos" });
  const element = h("section", { class: "room-video", "aria-label": title }, remotes, h("figure", { class: "local" }, local, h("figcaption", {}, youLabel)));
  return { element, local, remotes };
}

export function clear(element: Element): void {
  replace(element);
}
