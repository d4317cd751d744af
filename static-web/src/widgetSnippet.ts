import { h } from "./dom";
import { language, t } from "./i18n";
import { openParleyDialog } from "./widget/overlay";

export const defaultWidgetText = "Request a talk";
export const defaultWidgetColor = "#2563eb";

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function validColor(color: string): string {
  return /^#[0-9a-fA-F]{6}$/.test(color) ? color : defaultWidgetColor;
}

function buttonStyle(color: string): string {
  return `background:${color};color:#fff;border:0;border-radius:6px;padding:.6em 1.2em;font:inherit;cursor:pointer`;
}

/** The HTML an adviser's website needs for the dialog button (docs/dialogs.md, "Embedding"); shown as text only. */
export function embedSnippet(widgetKey: string, text: string, color: string): string {
  const c = validColor(color);
  return `<button type="button" data-parley-dialog="${escapeHtml(widgetKey)}" data-color="${c}"\n`
    + `  style="${buttonStyle(c)}">${escapeHtml(text)}</button>\n`
    + `<script src="${location.origin}/widget.js" async></script>`;
}

/** A copy button for a text; falls back to selecting the text when the clipboard is not available. */
export function copyButton(value: () => string, select: HTMLElement, label = t("common.copy")): HTMLElement {
  const status = h("span", { class: "visually-hidden", role: "status" });
  const button = h("button", { type: "button", class: "secondary", onclick: async () => {
    try {
      await navigator.clipboard.writeText(value());
    } catch {
      const range = document.createRange();
      range.selectNodeContents(select);
      getSelection()?.removeAllRanges();
      getSelection()?.addRange(range);
      document.execCommand("copy");
    }
    status.textContent = t("common.copied");
    button.textContent = "✓ " + label;
  } }, label);
  return h("span", {}, button, status);
}

/** The dialog button's snippet in a code block with a Copy button. */
export function snippetBlock(widgetKey: string, text: string, color: string, copyLabel?: string): HTMLElement {
  return codeSnippet(embedSnippet(widgetKey, text, color), copyLabel);
}

/** Any snippet (shown as text, never as HTML) in a code block with a Copy button. */
export function codeSnippet(snippet: string, copyLabel?: string, attrs: Record<string, string> = {}): HTMLElement {
  const code = h("code", {}, snippet);
  return h("div", { class: "snippet", ...attrs }, h("pre", { tabindex: 0 }, code), h("div", { class: "actions" }, copyButton(() => code.textContent ?? "", code, copyLabel)));
}

export type BookingEmbedMode = "inline" | "popup" | "floating";

/** The HTML a website needs to show an operator's booking page (docs/booking.md, "Embed"); `label`: the button's text. */
export function bookingEmbedSnippet(handle: string, mode: BookingEmbedMode, label: string): string {
  const key = escapeHtml(handle);
  const element = mode === "inline" ? `<div data-parley-booking="${key}" data-mode="inline"></div>`
    : mode === "popup" ? `<button data-parley-booking="${key}" data-mode="popup">${escapeHtml(label)}</button>`
    : `<div data-parley-booking="${key}" data-mode="floating" data-label="${escapeHtml(label)}"></div>`;
  return `<script src="${location.origin}/book-embed.js" async></script>\n${element}`;
}

/** The real button as customers will see it; it opens the real form (requests sent from it are real too). */
export function previewButton(widgetKey: string, text: string, color: string): HTMLButtonElement {
  const c = validColor(color);
  const button = h("button", { type: "button", class: "widget-preview", style: buttonStyle(c), "aria-haspopup": "dialog", onclick: () => {
    openParleyDialog({ origin: location.origin, widgetKey, color: c, lang: language(), title: text, opener: button });
  } }, text);
  return button;
}
