import { api, ApiError } from "../api";
import { h } from "../dom";
import { formatDate, t, type TextKey } from "../i18n";
import type { Context } from "../main";
import { settingsTabs } from "./shell";

interface OutboxEntry {
  id: string;
  channel: "sms" | "email" | "call";
  to: string;
  toName: string | null;
  from: string;
  fromName: string | null;
  subject: string;
  text: string;
  html: string | null;
  status: string | null;
  sentAt: string;
}

/** Plain text with its web addresses as links; everything else stays text. */
export function linkify(text: string): Node[] {
  return text.split(/(https?:\/\/[^\s]+)/g).map((part) =>
    /^https?:\/\//.test(part) ? h("a", { href: part, rel: "noreferrer" }, part) : document.createTextNode(part));
}

export async function outboxPage(ctx: Context): Promise<Node> {
  let entries: OutboxEntry[] | null = null;
  try {
    entries = await api<OutboxEntry[]>("GET", "/api/outbox");
  } catch (error) {
    if (!(error instanceof ApiError && error.problem.status === 404)) throw error;
  }
  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/outbox"),
    h("div", { class: "card" },
      h("h2", {}, t("outbox.title")),
      entries === null ? h("p", {}, t("outbox.unavailable")) : h("p", { class: "muted" }, t("outbox.intro")),
      entries !== null && entries.length === 0 ? h("p", { class: "empty" }, t("outbox.empty")) : null,
      (entries ?? []).map((e) => h("article", { class: "outbox-entry", "data-channel": e.channel },
        h("div", { class: "appointment-head" },
          h("span", { class: "badge" }, t(`outbox.channel.${e.channel}` as TextKey)),
          h("strong", {}, e.channel === "email" ? e.subject : e.to),
          h("span", { class: "muted" }, formatDate(e.sentAt))),
        h("div", { class: "muted" }, `${t("outbox.to")}: ${e.toName ? `${e.toName} <${e.to}>` : e.to}`),
        e.channel === "call" ? h("div", { class: "call-status" }, `${t("outbox.callStatus")}: ${e.status ?? ""}`) : null,
        e.channel === "call" ? h("div", { class: "muted" }, t("outbox.callScript")) : null,
        h("pre", { class: "message-text" }, linkify(e.text)),
        e.channel === "email" && e.html ? renderedEmail(e.id) : null))));
}

/** The e-mail as the customer sees it, loaded on demand into a sandboxed frame (no script, its own strict policy). */
function renderedEmail(id: string): Node {
  const details = h("details", { class: "rendered-email" }, h("summary", {}, t("outbox.showRendered")));
  details.addEventListener("toggle", () => {
    if (details.open && !details.querySelector("iframe")) {
      details.append(h("iframe", { sandbox: "", title: t("outbox.showRendered"), src: `/api/outbox/${encodeURIComponent(id)}/html` }));
    }
  });
  return details;
}
