import { api, ApiError, NetworkError, type DialogDetail, type DialogPage, type DialogRow } from "../api";
import { customerLanguages } from "../appointmentFields";
import { h, replace, uid } from "../dom";
import { formatDate, formatTime, isToday, language, t, type TextKey } from "../i18n";
import type { Context } from "../main";
import { localParts } from "../time";
import { showProblem } from "./cases";
import { confirmDialog } from "../confirmDialog";

/** "Available until" as a time when it is today, otherwise with its date. */
function untilText(iso: string | null): string {
  if (!iso) return "";
  return isToday(iso) ? formatTime(iso) : formatDate(iso);
}

/** Date above time, so the narrow date columns of the inbox never break inside a date. */
function dateLines(iso: string | null): Node[] {
  if (!iso) return [];
  return [h("span", { class: "nowrap" }, new Intl.DateTimeFormat(language(), { dateStyle: "medium" }).format(new Date(iso))), h("br"),
    h("span", { class: "nowrap" }, formatTime(iso))];
}

function lastMessageText(row: DialogRow): string {
  return row.lastMessageColor === "red" ? t("dialogs.noAnswer") : row.lastMessage;
}

/** A cell whose long text is cut off with an ellipsis; the whole text shows on hover. */
function ellipsisCell(text: string, attrs: Record<string, string> = {}): HTMLTableCellElement {
  return h("td", { ...attrs, class: `ellipsis ${attrs.class ?? ""}`.trim(), title: text }, h("span", {}, text));
}

function alertCallText(row: DialogRow): string | null {
  if (!row.alertCall) return null;
  const known = ["queued", "dialing", "connected", "retrying", "completed", "failed"];
  const status = known.includes(row.alertCall.status) ? t(`callStatus.${row.alertCall.status}` as TextKey) : row.alertCall.status;
  return t("dialog.alertCall", { status }) + (row.alertCall.reason ? ` (${row.alertCall.reason})` : "");
}

export async function dialogsPage(ctx: Context): Promise<Node> {
  const isAdmin = ctx.me.operator?.role === "administrator";
  let needsAnswer = new URLSearchParams(location.search).get("needsAnswer") === "true";
  let cursor: string | null = null;
  const body = h("tbody");
  const empty = h("p", { class: "empty", hidden: true });
  const error = h("div", { class: "alert error", role: "alert", hidden: true });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("dialogs.more"));

  const row = (d: DialogRow) => h("tr", { "data-dialog": d.id, class: d.closed ? "closed" : undefined },
    isAdmin ? h("td", {}, h("strong", {}, d.lineId ?? "—"), h("div", { class: "muted small" }, d.adviserName)) : null,
    h("td", {}, dateLines(d.createdAt)),
    h("td", {}, h("strong", { class: "customer-id" }, d.customerId),
      h("div", { class: "muted small ellipsis-line", title: d.keyword }, d.keyword),
      d.closed ? h("span", { class: "badge off" }, t("dialogs.closed")) : null),
    h("td", { class: d.availableUntilPast ? "nowrap past" : "nowrap" }, untilText(d.availableUntil)),
    h("td", {}, dateLines(d.wishedAt)),
    ellipsisCell(d.firstMessage),
    ellipsisCell(lastMessageText(d), { class: `last-${d.lastMessageColor}`, "data-color": d.lastMessageColor }),
    h("td", {}, h("div", { class: "actions" },
      d.closed ? null : h("button", { type: "button", class: "small", "aria-expanded": "false", "data-action": "reply",
        onclick: (e: Event) => void toggleReply(d, e.currentTarget as HTMLButtonElement) }, t("dialogs.reply")),
      h("button", { type: "button", class: "secondary small", "aria-label": t("dialogs.show"), onclick: () => ctx.navigate(`/dialogs/${d.id}`) }, t("dialogs.showShort")))));

  /** The answer form under the row (seed 004, option a): answer and "call customer" without leaving the inbox. */
  const toggleReply = async (d: DialogRow, button: HTMLButtonElement) => {
    const tr = button.closest("tr")!;
    const open = tr.nextElementSibling?.classList.contains("reply-row") ? tr.nextElementSibling : null;
    const collapse = () => {
      tr.nextElementSibling?.classList.contains("reply-row") && tr.nextElementSibling.remove();
      button.setAttribute("aria-expanded", "false");
    };
    if (open) {
      collapse();
      return;
    }
    button.disabled = true;
    let detail: DialogDetail;
    try {
      detail = await api<DialogDetail>("GET", `/api/dialogs/${d.id}`);
    } catch (e) {
      showProblem(e, error, () => false);
      return;
    } finally {
      button.disabled = false;
    }
    const alert = h("div", { class: "alert error", role: "alert", hidden: true });
    const cancel = h("button", { type: "button", class: "secondary", onclick: () => { collapse(); button.focus(); } }, t("common.cancel"));
    const formEl = answerForm(detail, alert, (updated) => {
      collapse();
      status.hidden = false;
      status.textContent = t("dialogs.sentTo", { customerId: d.customerId });
      if (needsAnswer && !updated.needsAnswer) tr.remove();
      else tr.replaceWith(row(updated));
    }, [cancel]);
    tr.after(h("tr", { class: "reply-row", "data-reply-for": d.id },
      h("td", { colspan: headers.length },
        h("div", { class: "inline-reply" },
          h("h2", { class: "small-heading" }, t("dialogs.replyTo", { customerId: d.customerId })),
          h("p", { class: "muted small" }, detail.keyword), alert, formEl))));
    button.setAttribute("aria-expanded", "true");
    tr.nextElementSibling?.querySelector("textarea")?.focus();
  };
  const status = h("div", { role: "status", class: "alert success", hidden: true });

  const load = async (append: boolean) => {
    error.hidden = true;
    status.hidden = true;
    const params = new URLSearchParams();
    if (needsAnswer) params.set("needsAnswer", "true");
    if (append && cursor) params.set("cursor", cursor);
    try {
      const page = await api<DialogPage>("GET", `/api/dialogs${params.toString() ? `?${params}` : ""}`);
      cursor = page.next;
      more.hidden = !cursor;
      const rows = page.items.map(row);
      if (append) body.append(...rows);
      else replace(body, rows);
      const none = body.children.length === 0;
      empty.hidden = !none;
      empty.textContent = needsAnswer ? t("dialogs.emptyNeedsAnswer") : t("dialogs.empty");
      table.hidden = none;
    } catch (e) {
      showProblem(e, error, () => false);
    }
  };
  more.addEventListener("click", () => void load(true));

  const filterId = uid("needs-answer");
  const filter = h("input", { id: filterId, type: "checkbox", checked: needsAnswer, onchange: (e: Event) => {
    needsAnswer = (e.target as HTMLInputElement).checked;
    history.replaceState(null, "", needsAnswer ? "/dialogs?needsAnswer=true" : "/dialogs");
    cursor = null;
    void load(false);
  } });

  const headers: TextKey[] = [
    ...(isAdmin ? ["dialogs.lineId" as const] : []),
    "dialogs.requestTime", "dialogs.customerId", "dialogs.availableUntil", "dialogs.wished", "dialogs.firstMessage", "dialogs.lastMessage", "dialogs.showColumn",
  ];
  const table = h("table", { class: "dialogs-table" },
    h("thead", {}, h("tr", {}, headers.map((key) => h("th", { scope: "col", class: `col-${key.slice("dialogs.".length)}` }, t(key))))),
    body);
  await load(false);

  return h("section", {},
    h("div", { class: "topbar" },
      h("h1", {}, t("dialogs.title")),
      h("div", { class: "checkbox" }, filter, h("label", { for: filterId }, t("dialogs.needsAnswer")))),
    h("div", { class: "card" },
      h("p", { class: "muted" }, isAdmin ? t("dialogs.introAdmin") : t("dialogs.intro")),
      status,
      error,
      h("div", { class: "table-wrap" }, table),
      empty,
      h("div", { class: "actions" }, more)));
}

export async function dialogPage(ctx: Context, id: string): Promise<Node> {
  const section = h("section", { class: "dialog-page" });
  let detail: DialogDetail;
  try {
    detail = await api<DialogDetail>("GET", `/api/dialogs/${id}`);
  } catch (error) {
    return h("section", {},
      h("p", {}, h("a", { href: "/dialogs", "data-link": true }, "← " + t("dialogs.title"))),
      h("h1", {}, t("dialogs.title")),
      h("div", { class: "alert error", role: "alert" },
        error instanceof ApiError && error.problem.status === 404 ? t("dialog.notFound") : error instanceof NetworkError ? t("errors.network") : t("errors.unexpected")));
  }
  renderDialog(ctx, section, detail, null);
  return section;
}

function renderDialog(ctx: Context, section: HTMLElement, d: DialogDetail, notice: string | null): void {
  const meta = (label: string, ...value: (Node | string | null)[]) => h("div", {}, h("dt", {}, label), h("dd", {}, ...value));
  const call = alertCallText(d);

  const thread = h("ol", { class: "thread", "aria-label": t("dialog.thread") },
    d.messages.map((m) => h("li", { class: `msg ${m.from}`, "data-from": m.from },
      h("div", { class: "msg-meta" },
        h("strong", {}, m.from === "adviser" ? m.adviserName ?? d.adviserName : t("dialog.customer", { customerId: d.customerId })),
        " · ", h("time", { datetime: m.at }, formatDate(m.at))),
      h("p", { class: "msg-text" }, m.text))));

  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const status = h("div", { role: "status", class: notice ? "alert success" : "", hidden: !notice }, notice ?? "");

  const replyForm = d.closed ? null : h("div", { class: "card" }, h("h2", {}, t("dialog.replyTitle")),
    answerForm(d, alert, (updated) => {
      renderDialog(ctx, section, updated, t("dialog.sent"));
      section.querySelector<HTMLElement>(".thread li:last-child")?.scrollIntoView({ block: "nearest" });
    }));

  const closeButton = d.closed ? null : h("button", { type: "button", class: "danger", onclick: async () => {
    if (!await confirmDialog({ title: t("common.confirmTitle"), text: t("dialog.confirmClose"), confirm: t("dialog.close"), cancel: t("common.cancel"), danger: true })) return;
    alert.hidden = true;
    try {
      const updated = await api<DialogDetail>("POST", `/api/dialogs/${d.id}/close`);
      renderDialog(ctx, section, updated, t("dialog.closedNotice"));
    } catch (error) {
      showProblem(error, alert, () => false);
    }
  } }, t("dialog.close"));
  const convertButton = h("button", { type: "button", class: "secondary", onclick: () => openConvertDialog(ctx, d) }, t("dialog.convert"));

  replace(section,
    h("p", {}, h("a", { href: "/dialogs", "data-link": true }, "← " + t("dialogs.title"))),
    h("div", { class: "topbar" },
      h("h1", {}, t("dialog.title", { customerId: d.customerId })),
      h("div", { class: "actions" }, convertButton, closeButton)),
    status,
    alert,
    h("div", { class: "card" },
      h("dl", { class: "dialog-meta" },
        meta(t("dialogs.customerId"), h("strong", { class: "customer-id" }, d.customerId)),
        meta(t("dialog.keyword"), d.keyword),
        d.availableUntil ? meta(t("dialogs.availableUntil"), h("span", { class: d.availableUntilPast ? "past" : "" }, untilText(d.availableUntil))) : null,
        d.wishedAt ? meta(t("dialogs.wished"), formatDate(d.wishedAt)) : null,
        meta(t("dialog.adviser"), d.adviserName, d.lineId ? ` (${d.lineId})` : ""),
        meta(t("dialogs.requestTime"), formatDate(d.createdAt)),
        meta(t("dialog.status"), d.closed ? t("dialogs.closed") : d.needsAnswer ? t("dialog.needsAnswer") : t("dialog.answered"))),
      call ? h("p", { class: "muted small alert-call", "data-status": d.alertCall?.status ?? "" }, call) : null),
    h("div", { class: "card" }, h("h2", {}, t("dialog.thread")), thread),
    d.closed ? h("p", { class: "alert info" }, t("dialog.isClosed")) : replyForm);
}

/**
 * "Your answer" with "call the customer" and Send (seed 004, option a): on the dialog's page and, opened from its row,
 * in the inbox. Field errors sit under their field; other problems go to <paramref name="alert"/>.
 */
function answerForm(d: Pick<DialogDetail, "id" | "customerHasCallNumber">, alert: HTMLElement, onSent: (updated: DialogDetail) => void, extra: Node[] = []): HTMLFormElement {
  const textId = uid("answer");
  const callId = uid("call");
  const text = h("textarea", { id: textId, name: "text", rows: 5, required: true, "aria-describedby": `${textId}-error` });
  const textError = h("div", { class: "field-error", id: `${textId}-error`, hidden: true });
  const callBox = h("input", { id: callId, type: "checkbox", name: "callCustomer", disabled: !d.customerHasCallNumber, "aria-describedby": d.customerHasCallNumber ? `${callId}-error` : `${callId}-hint ${callId}-error` });
  const callError = h("div", { class: "field-error", id: `${callId}-error`, hidden: true });
  const send = h("button", { type: "submit" }, t("dialog.send"));
  const errors: Record<string, [HTMLElement, HTMLElement]> = { text: [text, textError], callCustomer: [callBox, callError] };
  text.addEventListener("input", () => {
    if (text.value.trim() === "" || textError.hidden) return;
    text.removeAttribute("aria-invalid");
    textError.hidden = true;
  });
  const place = (name: string, message: string) => {
    const target = errors[name];
    if (!target) return false;
    target[0].setAttribute("aria-invalid", "true");
    target[1].hidden = false;
    target[1].textContent = message;
    return true;
  };
  const formEl = h("form", { class: "reply-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: textId }, t("dialog.answer")), text, textError),
    h("div", { class: "field" },
      h("div", { class: "checkbox" }, callBox, h("label", { for: callId }, t("dialog.callCustomer"))),
      d.customerHasCallNumber ? null : h("div", { class: "hint", id: `${callId}-hint` }, t("dialog.noCallNumber")),
      callError),
    h("div", { class: "actions" }, send, ...extra));
  formEl.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    Object.values(errors).forEach(([input, error]) => { input.removeAttribute("aria-invalid"); error.hidden = true; });
    if (text.value.trim() === "") {
      place("text", t("errors.required"));
      text.focus();
      return;
    }
    send.disabled = true;
    try {
      onSent(await api<DialogDetail>("POST", `/api/dialogs/${d.id}/replies`, { text: text.value.trim(), callCustomer: callBox.checked && !callBox.disabled }));
    } catch (error) {
      showProblem(error, alert, place);
      (formEl.querySelector('[aria-invalid="true"]') as HTMLElement | null)?.focus();
      send.disabled = false;
    }
  });
  return formEl;
}

/** Wall-clock arithmetic on "YYYY-MM-DD" + "HH:MM" (no time zone involved; the server applies the zone). */
function plusMinutes(date: string, time: string, minutes: number): string {
  const [y, mo, da] = date.split("-").map(Number) as [number, number, number];
  const [hh, mm] = time.split(":").map(Number) as [number, number];
  const d = new Date(Date.UTC(y, mo - 1, da, hh, mm + minutes));
  return d.toISOString().slice(0, 16);
}

/** "Create case with appointment": the wished time (or tomorrow 10:00) in the dialog's time zone, 30 minutes. */
function openConvertDialog(ctx: Context, d: DialogDetail): void {
  const zone = d.timeZone || ctx.me.operator?.timeZone || ctx.me.account.timeZone;
  let initialDate: string;
  let initialTime = "10:00";
  try {
    if (d.wishedAt) {
      const p = localParts(d.wishedAt, zone);
      initialDate = p.date;
      initialTime = p.time;
    } else {
      initialDate = localParts(new Date(Date.now() + 86_400_000), zone).date;
    }
  } catch {
    initialDate = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
  }
  const ids = { date: uid("date"), start: uid("start"), duration: uid("duration"), zone: uid("zone"), email: uid("email"), sms: uid("sms"), language: uid("language") };
  const date = h("input", { id: ids.date, type: "date", value: initialDate, required: true });
  const start = h("input", { id: ids.start, type: "time", value: initialTime, step: 300, required: true });
  const duration = h("input", { id: ids.duration, type: "number", value: "30", min: 5, max: 480, step: 5, required: true });
  const timeZone = h("input", { id: ids.zone, type: "text", value: zone, required: true });
  const email = h("input", { id: ids.email, type: "checkbox", checked: true });
  const sms = h("input", { id: ids.sms, type: "checkbox", checked: false, disabled: !d.customerHasSmsNumber });
  const language = h("select", { id: ids.language },
    Object.entries(customerLanguages[d.customerLanguage] ? customerLanguages : { ...customerLanguages, [d.customerLanguage]: d.customerLanguage })
      .map(([code, name]) => h("option", { value: code, selected: code === d.customerLanguage }, name)));
  const errors: Record<string, HTMLElement> = {};
  const field = (input: HTMLElement, label: string, names: string[]) => {
    const error = h("div", { class: "field-error", id: `${input.id}-error`, hidden: true });
    input.setAttribute("aria-describedby", error.id);
    names.forEach((n) => { errors[n] = error; });
    return h("div", { class: "field" }, h("label", { for: input.id }, label), input, error);
  };
  const check = (input: HTMLInputElement, label: string, names: string[], hint?: string) => {
    const error = h("div", { class: "field-error", hidden: true });
    names.forEach((n) => { errors[n] = error; });
    return h("div", { class: "field" }, h("div", { class: "checkbox" }, input, h("label", { for: input.id }, label)), hint ? h("div", { class: "hint" }, hint) : null, error);
  };
  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit" }, t("convert.submit"));
  const formEl = h("form", { method: "dialog", novalidate: true },
    h("h2", {}, t("convert.title")),
    h("p", { class: "muted" }, t("convert.intro", { customerId: d.customerId })),
    alert,
    h("div", { class: "form-row" }, field(date, t("appointments.date"), ["date"]), field(start, t("appointments.start"), ["start"])),
    h("div", { class: "form-row" }, field(duration, t("convert.duration"), ["end", "duration"]), field(timeZone, t("convert.timeZone"), ["timeZone"])),
    h("div", { class: "form-row" },
      check(email, t("appointments.sendEmail"), ["invitation.email", "invitation"]),
      check(sms, t("appointments.sendSms"), ["invitation.sms"], d.customerHasSmsNumber ? undefined : t("convert.noSms"))),
    field(language, t("appointments.language"), ["invitation.language"]),
    h("div", { class: "actions" }, submit, h("button", { type: "button", class: "secondary", onclick: () => dialog.close() }, t("appointments.close"))));
  const dialog = h("dialog", { class: "modal" }, formEl);
  formEl.addEventListener("submit", async (event) => {
    event.preventDefault();
    alert.hidden = true;
    Object.values(errors).forEach((e) => { e.hidden = true; e.textContent = ""; });
    const minutes = Number(duration.value);
    if (!date.value || !start.value || !Number.isFinite(minutes) || minutes <= 0) {
      alert.hidden = false;
      alert.textContent = t("errors.fix");
      return;
    }
    submit.disabled = true;
    try {
      const created = await api<{ caseId: string; appointmentId: string }>("POST", `/api/dialogs/${d.id}/convert`, {
        start: `${date.value}T${start.value}`,
        end: plusMinutes(date.value, start.value, minutes),
        timeZone: timeZone.value.trim(),
        invitation: { email: email.checked, sms: sms.checked && !sms.disabled, language: language.value },
      });
      dialog.close();
      ctx.navigate(`/cases/${created.caseId}`);
    } catch (error) {
      showProblem(error, alert, (name, message) => {
        const target = errors[name];
        if (!target) return false;
        target.hidden = false;
        target.textContent = message;
        return true;
      });
      submit.disabled = false;
    }
  });
  dialog.addEventListener("close", () => dialog.remove());
  document.body.append(dialog);
  dialog.showModal();
  date.focus();
}
