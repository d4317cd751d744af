import { api, ApiError, NetworkError, type DialogThread } from "../api";
import { h, replace, uid } from "../dom";
import { formatDate, t, useLanguage } from "../i18n";

/**
 * The customer's page for a dialog (/reply#<token>, linked from the adviser's e-mails): the conversation and a reply
 * box, in the conversation's language, without the dashboard around it. Shows only what the API returns.
 */
export function replyPage(): Node {
  // The token is in the fragment, which browsers never send to servers.
  const token = location.hash.slice(1);
  const card = h("div", { class: "public-card reply-card" }, h("p", { class: "loading" }, t("common.loading")));
  const page = h("main", { class: "public reply-page" }, card);

  const invalid = () => {
    replace(card, h("h1", {}, t("reply.invalidTitle")), h("div", { class: "alert error", role: "alert" }, t("reply.invalid")));
    focusHeading(card);
  };
  if (!token) {
    invalid();
    return page;
  }
  void (async () => {
    try {
      const thread = await api<DialogThread>("POST", "/api/dialog-thread", { token });
      render(card, token, thread, null);
    } catch (error) {
      if (error instanceof ApiError && (error.problem.status === 404 || error.problem.status === 400)) invalid();
      else {
        replace(card, h("div", { class: "alert error", role: "alert" }, error instanceof NetworkError ? t("errors.network") : t("errors.unexpected")));
      }
    }
  })();
  return page;
}

function focusHeading(card: HTMLElement): void {
  const heading = card.querySelector("h1");
  if (heading) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
    document.title = heading.textContent ?? "Parley";
  }
}

function render(card: HTMLElement, token: string, thread: DialogThread, notice: string | null): void {
  useLanguage(thread.language === "de" ? "de" : "en");
  const messages = h("ol", { class: "thread", "aria-label": t("reply.conversation") },
    thread.messages.map((m) => h("li", { class: `msg ${m.from === "customer" ? "mine" : "theirs"}`, "data-from": m.from },
      h("div", { class: "msg-meta" },
        h("strong", {}, m.from === "customer" ? t("reply.you") : thread.adviserName),
        " · ", h("time", { datetime: m.at }, formatDate(m.at))),
      h("p", { class: "msg-text" }, m.text))));

  let replyForm: HTMLElement | null = null;
  if (!thread.closed) {
    const id = uid("reply");
    const max = thread.maxMessageLength > 0 ? thread.maxMessageLength : 500;
    const text = h("textarea", { id, name: "text", rows: 5, maxlength: max, required: true, "aria-describedby": `${id}-counter ${id}-error` });
    const counter = h("div", { class: "counter", id: `${id}-counter` }, `0 / ${max}`);
    text.addEventListener("input", () => { counter.textContent = `${text.value.length} / ${max}`; });
    const error = h("div", { class: "field-error", id: `${id}-error`, hidden: true });
    const alert = h("div", { class: "alert error", role: "alert", hidden: true });
    const send = h("button", { type: "submit" }, t("reply.send"));
    replyForm = h("form", { class: "reply-form", novalidate: true },
      alert,
      h("div", { class: "field" }, h("label", { for: id }, t("reply.text")), text, counter, error),
      h("div", { class: "actions" }, send));
    replyForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      alert.hidden = true;
      error.hidden = true;
      text.removeAttribute("aria-invalid");
      const fieldError = (message: string) => {
        error.hidden = false;
        error.textContent = message;
        text.setAttribute("aria-invalid", "true");
        text.focus();
      };
      if (text.value.trim() === "") return fieldError(t("errors.required"));
      send.disabled = true;
      try {
        const updated = await api<DialogThread>("POST", "/api/dialog-thread/replies", { token, text: text.value.trim() });
        render(card, token, updated, t("reply.sent"));
      } catch (e) {
        send.disabled = false;
        if (e instanceof ApiError && e.problem.status === 404) {
          alert.hidden = false;
          alert.textContent = t("reply.invalid");
        } else if (e instanceof ApiError && e.problem.errors && Object.keys(e.problem.errors).length > 0) {
          fieldError(Object.values(e.problem.errors).flat().join(" "));
        } else if (e instanceof ApiError && e.problem.status === 429) {
          alert.hidden = false;
          alert.textContent = t("widget.error.rateLimited");
        } else {
          alert.hidden = false;
          alert.textContent = e instanceof ApiError ? e.problem.detail ?? t("errors.unexpected") : e instanceof NetworkError ? t("errors.network") : t("errors.unexpected");
        }
      }
    });
  }

  replace(card,
    h("h1", {}, t("reply.title", { adviserName: thread.adviserName, businessName: thread.businessName })),
    h("p", { class: "muted" }, t("reply.customerId", { customerId: thread.customerId })),
    notice ? h("div", { class: "alert success", role: "status" }, notice) : null,
    messages,
    thread.closed ? h("div", { class: "alert info", role: "status" }, t("reply.closed")) : replyForm);
  if (notice) {
    document.title = card.querySelector("h1")?.textContent ?? "Parley";
  } else {
    focusHeading(card);
  }
}
