import { api, ApiError, NetworkError, type Appointment, type CaseDetail, type CasePage, type CaseSummary, type ConversationMessage, type CustomField, type Operator } from "../api";
import { chatPanel } from "../chatPanel";
import { onChatInboxChange } from "../chatInbox";
import { appointmentFields, customerLanguages } from "../appointmentFields";
import { h, replace, uid } from "../dom";
import { customFieldInput } from "../customFieldInput";
import { copyLinkControl } from "../forms";
import { t, uiLocale, type TextKey } from "../i18n";
import type { Context } from "../main";
import { appointmentActions } from "../appointmentActions";
import { formatDateTime, formatTime, localParts } from "../time";
import { openNewCaseDialog } from "./newCaseDialog";
import { watchPresence } from "../presence";

interface MessageStatus {
  id: string;
  kind: string;
  channel: "sms" | "email";
  to: string;
  status: string;
  reason: string | null;
  late: boolean;
  /** Set for reminders that are still to go out (scheduled, retrying) or did not (gave up, skipped). */
  dueAt?: string | null;
}

const originKeys: Record<string, TextKey> = {
  manual: "cases.origin.manual", api: "cases.origin.api", widget: "cases.origin.widget", bookingPage: "cases.origin.bookingPage", zapier: "cases.origin.zapier", dialog: "cases.origin.dialog", websiteChat: "cases.origin.websiteChat",
};
const originIcons: Record<string, string> = { manual: "✎", api: "⚙", widget: "💬", bookingPage: "📅", zapier: "⚡", dialog: "✉", websiteChat: "🗨" };

export async function casesPage(ctx: Context, caseId: string | null): Promise<Node> {
  const zone = ctx.me.operator?.timeZone ?? ctx.me.account.timeZone;
  let status: "active" | "completed" = "active";
  let query = "";
  const list = h("ul", { class: "case-list", "aria-label": t("cases.title") });
  const more = h("button", { type: "button", class: "secondary", hidden: true }, t("cases.more"));
  const detail = h("section", { class: "case-detail card", "aria-live": "polite" });
  let cursor: string | null = null;

  // A reload (search, tab, a new chat message) makes answers still under way for the old list moot.
  let generation = 0;
  const loadList = async (append: boolean) => {
    const mine = append ? generation : ++generation;
    const params = new URLSearchParams({ status, limit: "25" });
    if (query) params.set("q", query);
    if (append && cursor) params.set("cursor", cursor);
    const page = await api<CasePage>("GET", `/api/cases?${params}`);
    if (mine !== generation) return;
    cursor = page.nextCursor;
    more.hidden = cursor === null;
    const items = page.items.map((c) => h("li", {},
      h("a", { href: `/cases/${c.id}`, "data-link": true, class: "case-item", "aria-current": c.id === caseId ? "page" : undefined, "data-case": c.name },
        h("span", { class: "case-item-title" },
          h("span", { class: "origin", title: t(originKeys[c.origin] ?? "cases.origin.manual"), "aria-label": t(originKeys[c.origin] ?? "cases.origin.manual") }, originIcons[c.origin] ?? "•"),
          h("strong", {}, c.name), h("span", { class: "muted" }, ` #${c.number}`)),
        h("span", { class: "case-item-meta" },
          h("span", { class: "presence", "data-presence-case": c.id },
            c.waitingAppointmentId ? h("span", { class: "badge waiting" }, t("meeting.waitingBadge"))
              : c.customerStatus === "online" ? h("span", { class: "badge online" }, t("cases.customer.online")) : null),
          c.origin === "websiteChat" ? chatBadges(c) : null,
          c.nextAppointmentAt ? t("cases.next", { when: formatDateTime(c.nextAppointmentAt, zone, uiLocale()) }) : ""))));
    if (append) list.append(...items);
    else replace(list, items.length ? items : [h("li", { class: "empty" }, t("cases.empty"))]);
    if (list.isConnected) watchPresence();
  };
  more.addEventListener("click", () => void loadList(true));

  const search = h("input", { type: "search", id: "case-search", placeholder: t("cases.searchHint"), autocomplete: "off" });
  let timer: number | undefined;
  search.addEventListener("input", () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => { query = search.value.trim(); void loadList(false); }, 250);
  });
  const tab = (value: "active" | "completed", key: TextKey) => h("button", { type: "button", role: "tab", class: "tab", "aria-selected": value === status ? "true" : "false", onclick: (e: Event) => {
    status = value;
    (e.currentTarget as HTMLElement).parentElement!.querySelectorAll("button").forEach((b) => b.setAttribute("aria-selected", String(b === e.currentTarget)));
    void loadList(false);
  } }, t(key));

  await loadList(false);
  // New chat messages (the navigation's inbox poll) show in the list without a reload.
  const leaving = new AbortController();
  document.addEventListener("parley:leave", () => leaving.abort(), { signal: leaving.signal });
  onChatInboxChange(() => {
    if (!list.isConnected) return leaving.abort();
    void loadList(false).catch(() => undefined);
  }, leaving.signal);
  if (caseId) {
    await renderDetail(ctx, caseId, detail, () => loadList(false));
  } else {
    replace(detail, h("p", { class: "empty" }, t("cases.select")));
  }

  return h("div", { class: "cases-layout" },
    h("div", { class: "case-list-panel card" },
      h("div", { class: "topbar" },
        caseId ? h("h2", {}, t("cases.title")) : h("h1", {}, t("cases.title")),
        h("button", { type: "button", onclick: () => void openNewCaseDialog(ctx, (id) => ctx.navigate(`/cases/${id}`)) }, "+ " + t("cases.new"))),
      h("label", { for: "case-search", class: "visually-hidden" }, t("cases.search")),
      search,
      h("div", { role: "tablist", class: "status-tabs" }, tab("active", "cases.active"), tab("completed", "cases.completed")),
      list,
      more),
    detail);
}

async function renderDetail(ctx: Context, caseId: string, target: HTMLElement, refreshList: () => Promise<void>): Promise<void> {
  let c: CaseDetail;
  try {
    c = await api<CaseDetail>("GET", `/api/cases/${caseId}`);
  } catch (error) {
    replace(target, h("div", { class: "alert error", role: "alert" }, error instanceof ApiError && error.problem.status === 404 ? t("cases.select") : t("errors.unexpected")));
    return;
  }
  const [fields, operators, appointments, conversation] = await Promise.all([
    api<CustomField[]>("GET", "/api/custom-fields"),
    api<Operator[]>("GET", "/api/operators"),
    api<Appointment[]>("GET", `/api/cases/${caseId}/appointments`),
    api<ConversationMessage[]>("GET", `/api/cases/${caseId}/conversation`),
  ]);
  const zone = ctx.me.operator?.timeZone ?? ctx.me.account.timeZone;
  const saved = h("span", { class: "saved", role: "status" });

  const unsaved = unsavedEdits(caseId);

  /**
   * Autosave: a text field saves about a second after the last keystroke, and at once when it is left; choices save
   * when changed. What is typed is also kept in this tab's session storage until the server has it, so leaving or
   * reloading the page right after typing loses nothing (a keepalive request saves it on the way out, and the next
   * visit finishes the job if that did not arrive).
   */
  const autosave = (input: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, error: HTMLElement, body: () => Record<string, unknown>,
    check: () => string | null = () => null) => {
    const key = input.name || input.id;
    let timer: number | undefined;
    let dirty = false;
    const save = async (keepalive = false) => {
      clearTimeout(timer);
      if (!dirty) return;
      const problem = check();
      error.hidden = problem === null;
      error.textContent = problem ?? "";
      if (problem !== null) {
        input.setAttribute("aria-invalid", "true");
        return;
      }
      dirty = false;
      input.removeAttribute("aria-invalid");
      saved.textContent = "";
      const sent = body();
      try {
        c = await api<CaseDetail>("PATCH", `/api/cases/${caseId}`, sent, { keepalive });
        if (!dirty) unsaved.forget(key);
        saved.textContent = "✓ " + t("case.saved");
        await refreshList();
      } catch (e) {
        if (e instanceof ApiError) unsaved.forget(key); // refused on its merits: keep the message, not the text
        error.hidden = false;
        input.setAttribute("aria-invalid", "true");
        error.textContent = e instanceof ApiError ? Object.values(e.problem.errors ?? {}).flat().join(" ") || e.problem.detail || t("errors.unexpected") : e instanceof NetworkError ? t("errors.network") : t("errors.unexpected");
      }
    };
    const typed = () => {
      dirty = true;
      unsaved.remember(key, input.value);
      const problem = check();
      error.hidden = problem === null;
      error.textContent = problem ?? "";
      if (problem !== null) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    };
    if (input instanceof HTMLSelectElement || (input instanceof HTMLInputElement && input.type === "checkbox")) {
      input.addEventListener("change", () => { dirty = true; void save(); });
    } else {
      input.addEventListener("input", () => { typed(); clearTimeout(timer); timer = window.setTimeout(() => void save(), 1000); });
      input.addEventListener("change", () => void save());
    }
    flushers.push(() => void save(true));
    // Typed before a reload whose keepalive save did not arrive: put it back and save it now.
    const pending = unsaved.get(key);
    if (pending !== undefined && pending !== input.value) {
      input.value = pending;
      dirty = true;
      void save();
    }
  };
  const flushers: (() => void)[] = [];
  const flushAll = () => flushers.forEach((f) => f());
  const leaving = new AbortController();
  window.addEventListener("pagehide", flushAll, { signal: leaving.signal });
  document.addEventListener("visibilitychange", () => { if (document.visibilityState === "hidden") flushAll(); }, { signal: leaving.signal });
  // Leaving the case inside the app (another case, another page: the router announces it) saves too.
  document.addEventListener("parley:leave", () => { flushAll(); leaving.abort(); }, { signal: leaving.signal });
  const field = (name: string, label: string, value: string | null, options: { type?: string; hint?: string; textarea?: boolean; maxLength?: number } = {}) => {
    const id = uid(name);
    // No maxlength attribute: it drops the 51st character silently; the rule is shown instead.
    const input = options.textarea
      ? h("textarea", { id, name, rows: 4 }, value ?? "")
      : h("input", { id, name, type: options.type ?? "text", value: value ?? "" });
    const error = h("div", { class: "field-error", id: `${id}-error`, hidden: true });
    input.setAttribute("aria-describedby", `${id}-error${options.hint ? ` ${id}-hint` : ""}`);
    const max = options.maxLength;
    autosave(input, error, () => ({ [name]: input.value }),
      () => max !== undefined && input.value.length > max ? t("case.tooLong", { max: String(max), count: String(input.value.length) }) : null);
    return h("div", { class: "field" }, h("label", { for: id }, label), input, options.hint ? h("div", { class: "hint", id: `${id}-hint` }, options.hint) : null, error);
  };

  const languageId = uid("language");
  const languageSelect = h("select", { id: languageId, name: "language" }, Object.entries(customerLanguages).map(([code, name]) => h("option", { value: code, selected: code === c.language }, name)));
  const languageError = h("div", { class: "field-error", hidden: true });
  autosave(languageSelect, languageError, () => ({ language: languageSelect.value }));

  const customFieldInputs = fields.map((f) => {
    const input = customFieldInput(f, c.customFields[f.key]);
    const id = input.id;
    const error = h("div", { class: "field-error", hidden: true });
    autosave(input, error, () => ({ customFields: { [f.key]: input.value } }));
    return h("div", { class: "field" }, h("label", { for: id }, f.label + (f.required ? " *" : "")), input, error);
  });

  const assignedError = h("div", { class: "field-error", hidden: true });
  const assignedBoxes = operators.filter((o) => o.active).map((o) => {
    const id = uid("assigned");
    const box = h("input", { id, type: "checkbox", value: o.id, checked: c.assignedOperatorIds.includes(o.id) });
    return { box, element: h("div", { class: "checkbox" }, box, h("label", { for: id }, o.name)) };
  });
  assignedBoxes.forEach(({ box }) => autosave(box, assignedError, () => ({ assignedOperatorIds: assignedBoxes.filter((b) => b.box.checked).map((b) => b.box.value) })));

  const statusButton = h("button", { type: "button", class: "secondary", onclick: async () => {
    c = await api<CaseDetail>("POST", `/api/cases/${caseId}/${c.status === "active" ? "complete" : "reopen"}`);
    await refreshList();
    await renderDetail(ctx, caseId, target, refreshList);
  } }, c.status === "active" ? t("case.complete") : t("case.reopen"));

  const names = new Map(operators.map((o) => [o.id, o.name]));
  const appointmentList = h("div", { class: "appointments" },
    appointments.length === 0 ? h("p", { class: "empty" }, t("appointments.none")) : appointments.map((a) => appointmentCard(ctx, a, zone, names, () => renderDetail(ctx, caseId, target, refreshList))));

  const hidden = c.contactHidden;
  const schedule = appointmentFields(ctx.me, { date: localParts(new Date(Date.now() + 86_400_000), zone).date },
    () => ({ email: !!c.email || !!hidden?.channels.includes("email"), phone: !!c.phone || !!hidden?.channels.includes("sms") }), { allowGroup: true });
  // A customer from an adviser dialog stays anonymous: no address fields, only where the contact came from and its channels.
  const contactFields = hidden
    ? [h("div", { class: "field contact-hidden", "data-contact-hidden": hidden.fromDialogCustomer },
      h("span", { class: "label" }, t("case.contact")),
      h("p", { class: "status-line" }, t("case.contactHidden", { customer: hidden.fromDialogCustomer })),
      h("p", { class: "hint" }, t("case.contactChannels", { channels: hidden.channels.map((ch) => t(`case.channel.${ch}` as TextKey)).join(", ") || "—" })))]
    : [field("email", t("case.email"), c.email, { type: "email" }), field("phone", t("case.phone"), c.phoneDisplay ?? c.phone, { type: "tel", hint: t("case.phoneHint") })];
  const scheduleAlert = h("div", { class: "alert error", role: "alert", hidden: true });
  const scheduleForm = h("form", { class: "schedule-form", novalidate: true }, scheduleAlert, schedule.element, h("div", { class: "actions" }, h("button", { type: "submit" }, t("appointments.schedule"))));
  scheduleForm.addEventListener("submit", async (e) => {
    e.preventDefault();
    schedule.clearErrors();
    scheduleAlert.hidden = true;
    try {
      await api("POST", `/api/cases/${caseId}/appointments`, schedule.body());
      await refreshList();
      await renderDetail(ctx, caseId, target, refreshList);
    } catch (error) {
      showProblem(error, scheduleAlert, (name, message) => schedule.showError(name, message));
    }
  });

  // A website chat: the live conversation comes first (docs/chat.md, "Dashboard"); other cases keep the read-only one below.
  const chat = c.origin === "websiteChat" ? chatPanel(c, conversation, zone, {
    openMeeting: (appointmentId) => ctx.navigate(`/meeting/${appointmentId}`),
    answered: () => void refreshList().catch(() => undefined),
  }) : null;
  replace(target,
    h("div", { class: "topbar" },
      h("div", {},
        h("h1", { class: "case-heading" }, c.name),
        h("p", { class: "muted" }, t("cases.number", { number: String(c.number) }), " · ", t(originKeys[c.origin] ?? "cases.origin.manual"), " · ",
          // A website chat shows its visitor's online/away in the chat panel; the meeting room's status would contradict it.
          chat ? null : [h("span", { class: "customer-status", "data-presence-case": c.id, "data-presence-style": "text" }, c.customerStatus === "online" ? t("cases.customer.online") : t("cases.customer.away")), " · "],
          t(c.status === "active" ? "case.status.active" : "case.status.completed")),
        c.sharedLocation ? h("p", { class: "shared-location" }, t("meeting.location", {
          position: `${c.sharedLocation.latitude.toFixed(5)}, ${c.sharedLocation.longitude.toFixed(5)}`,
          accuracy: c.sharedLocation.accuracyMeters === null ? "?" : String(Math.round(c.sharedLocation.accuracyMeters)),
          when: formatDateTime(c.sharedLocation.at, zone, uiLocale()) }), " ",
          h("a", { href: c.sharedLocation.mapUrl, target: "_blank", rel: "noopener noreferrer" }, t("meeting.map"))) : null),
      h("div", { class: "actions" }, saved, statusButton)),
    chat,
    h("div", { class: "form-grid" },
      field("name", t("case.name"), c.name, { hint: t("case.nameHint"), maxLength: 50 }),
      field("internalReference", t("case.internalReference"), c.internalReference),
      ...contactFields,
      h("div", { class: "field" }, h("label", { for: languageId }, t("case.language")), languageSelect, languageError)),
    fields.length ? h("div", {}, h("h2", {}, t("case.customFields")), h("div", { class: "form-grid" }, customFieldInputs)) : null,
    field("notes", t("case.notes"), c.notes, { textarea: true, hint: t("case.notesHint") }),
    h("h2", {}, t("case.assigned")), h("div", { class: "assigned" }, assignedBoxes.map((b) => b.element)), assignedError,
    h("h2", {}, t("appointments.title")), appointmentList,
    chat ? null : conversation.length ? h("section", { class: "case-conversation" }, h("h2", {}, t("case.conversation")),
      h("ol", { class: "thread" }, conversation.map((m) => h("li", { class: `msg ${m.author === "operator" ? "mine" : "theirs"}`, "data-author": m.author },
        h("div", { class: "msg-meta" }, m.authorName, " · ", formatDateTime(m.at, zone, uiLocale())),
        h("p", { class: "msg-text" }, m.text))))) : null,
    h("details", { class: "schedule" }, h("summary", {}, t("appointments.schedule")), scheduleForm));
}

/** A website chat in the list: "Website chat", awaiting a reply, and how many visitor messages are unread. */
function chatBadges(c: CaseSummary): HTMLElement {
  const unread = c.unreadMessages ?? 0;
  return h("span", { class: "chat-badges" },
    h("span", { class: "chat-origin" }, t("cases.websiteChat")),
    c.awaitingReply ? h("span", { class: "badge awaiting", "data-awaiting": "" }, t("cases.awaitingReply")) : null,
    unread > 0 ? h("span", { class: "unread-count", "data-unread": unread },
      h("span", { "aria-hidden": "true" }, String(unread)),
      h("span", { class: "visually-hidden" }, t("cases.unread", { count: String(unread) }))) : null);
}

/** What was typed on a case page and not yet confirmed by the server, per field, in this tab's session storage. */
function unsavedEdits(caseId: string) {
  const key = `parley.unsaved.${caseId}`;
  const read = (): Record<string, string> => {
    try {
      return JSON.parse(sessionStorage.getItem(key) ?? "{}") as Record<string, string>;
    } catch {
      return {};
    }
  };
  const write = (values: Record<string, string>) => {
    try {
      if (Object.keys(values).length === 0) sessionStorage.removeItem(key);
      else sessionStorage.setItem(key, JSON.stringify(values));
    } catch {
      // storage unavailable: the keepalive save on leaving still runs
    }
  };
  return {
    get: (field: string): string | undefined => read()[field],
    remember: (field: string, value: string) => write({ ...read(), [field]: value }),
    forget: (field: string) => { const values = read(); delete values[field]; write(values); },
  };
}

function appointmentCard(ctx: Context, a: Appointment, zone: string, names: Map<string, string>, refresh: () => Promise<void>): HTMLElement {
  const message = h("div", { role: "status" });
  const error = h("div", { class: "alert error", role: "alert", hidden: true });
  const start = localParts(a.start, zone);
  const end = localParts(a.end, zone);
  const resched = h("form", { class: "reschedule", hidden: true, novalidate: true });
  const dateId = uid("date");
  const startId = uid("start");
  const endId = uid("end");
  const date = h("input", { id: dateId, type: "date", value: start.date });
  const s = h("input", { id: startId, type: "time", value: start.time, step: 300 });
  const e = h("input", { id: endId, type: "time", value: end.time, step: 300 });
  replace(resched, h("div", { class: "form-row" },
    h("div", { class: "field" }, h("label", { for: dateId }, t("appointments.date")), date),
    h("div", { class: "field" }, h("label", { for: startId }, t("appointments.start")), s),
    h("div", { class: "field" }, h("label", { for: endId }, t("appointments.end")), e)),
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("appointments.save"))));
  resched.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    error.hidden = true;
    try {
      await api("PATCH", `/api/appointments/${a.id}`, { start: `${date.value}T${s.value}`, end: `${date.value}T${e.value}`, timeZone: zone });
      await refresh();
    } catch (err) {
      showProblem(err, error, () => false);
    }
  });
  const cancelled = a.status === "cancelled";
  const actions = appointmentActions(a.id, { message, alert: error });
  return h("article", { class: `appointment ${cancelled ? "cancelled" : ""}`, "data-appointment": a.id },
    h("div", { class: "appointment-head" },
      h("strong", {}, formatDateTime(a.start, zone, uiLocale()), "–", formatTime(a.end, zone, uiLocale())),
      h("span", { class: cancelled ? "badge off" : "badge" }, cancelled ? t("appointments.cancelled") : t("appointments.scheduled")),
      h("span", { class: "muted" }, t(a.type === "group" ? "appointments.type.group" : "appointments.type.individual"))),
    h("div", { class: "muted" }, a.operatorIds.map((id) => names.get(id) ?? id).join(", "),
      a.pinProtected && a.pin ? " · " + t("appointments.pinValue", { pin: a.pin }) : ""),
    !cancelled ? h("div", { class: "field" }, h("span", { class: "hint" }, a.type === "group" ? t("appointments.groupLink") : t("appointments.link")), copyLinkControl(a.joinUrl, t("appointments.link"))) : null,
    pinNotice(a),
    historyPanel(a, zone, names),
    messagesPanel(a),
    error, message,
    !cancelled ? h("div", { class: "actions" },
      h("button", { type: "button", class: "secondary", onclick: () => { resched.hidden = !resched.hidden; } }, t("appointments.reschedule")),
      actions.join,
      a.pinProtected ? actions.newPin(refresh) : null,
      a.type === "individual" ? actions.resend : null,
      actions.cancel(refresh)) : null,
    resched);
}

/** Why the meeting code changed or is locked (too many wrong entries), as the appointment's history says. */
function pinNotice(a: Appointment): HTMLElement | null {
  const last = [...a.history].reverse().find((e) => e.action === "pinLocked" || e.action === "pinReissued");
  if (!last || a.status === "cancelled") return null;
  return h("p", { class: last.action === "pinLocked" ? "alert error pin-notice" : "alert warning pin-notice", role: "status" },
    t(last.action === "pinLocked" ? "meeting.pinLocked" : "meeting.pinReissued", { when: new Date(last.at).toLocaleString(uiLocale()) }), last.reason ? ` ${last.reason}` : "");
}

const historyActions = new Set(["scheduled", "rescheduled", "cancelled", "invitationsResent", "pinLocked", "pinReissued"]);

/** Who changed an appointment: an operator by name, the customer through their booking link, an API key, or Parley. */
export function historyActor(by: string | undefined, names: Map<string, string>): string {
  if (!by) return "";
  if (by === "booker") return t("history.byBooker");
  if (by === "system") return t("history.bySystem");
  if (by.startsWith("api:")) return t("history.byApi");
  return names.get(by) ?? by;
}

/** What happened to the appointment, when and by whom (with the reason given); the customer's own changes stand out. */
function historyPanel(a: Appointment, zone: string, names: Map<string, string>): HTMLElement | null {
  if (a.history.length === 0) return null;
  const byBooker = a.history.some((e) => e.by === "booker");
  return h("details", { class: "history", open: byBooker && a.history[a.history.length - 1]?.by === "booker" },
    h("summary", {}, t("history.title")),
    h("ul", {}, a.history.map((e) => h("li", { "data-action": e.action, "data-by": e.by === "booker" ? "booker" : undefined },
      h("span", { class: "muted" }, formatDateTime(e.at, zone, uiLocale())), " · ",
      historyActions.has(e.action) ? t(`history.action.${e.action}` as TextKey) : e.action,
      e.by ? [" · ", h(e.by === "booker" ? "strong" : "span", {}, historyActor(e.by, names))] : null,
      e.reason ? h("div", { class: "history-reason" }, t("history.reason", { reason: e.reason })) : null))));
}

/** Delivery status of each message sent for the appointment, loaded when shown. */
function messagesPanel(a: Appointment): HTMLElement {
  const list = h("ul", { class: "message-status" });
  const panel = h("details", { class: "messages" }, h("summary", {}, t("messages.title")), list);
  panel.addEventListener("toggle", async () => {
    if (!panel.open) return;
    const messages = await api<MessageStatus[]>("GET", `/api/appointments/${a.id}/messages`);
    replace(list, messages.length === 0 ? h("li", { class: "empty" }, t("messages.none")) : messages.map((m) => h("li", { "data-status": m.status },
      h("span", { class: `badge ${m.status === "failed" ? "off" : ""}` }, t(`messages.status.${m.status}` as TextKey)),
      " ", t(`messages.kind.${m.kind}` as TextKey), " · ", m.channel === "sms" ? "SMS" : "E-Mail", " · ", m.to,
      m.dueAt ? ` · ${t("messages.due")} ${formatDateTime(m.dueAt, a.timeZone, uiLocale())}` : "",
      m.late ? ` · ${t("messages.late")}` : "", m.reason ? h("div", { class: "field-error" }, m.reason) : null)));
  });
  return panel;
}

/** Field errors go next to their fields when `place` knows them; everything else into the alert. */
export function showProblem(error: unknown, alert: HTMLElement, place: (name: string, message: string) => boolean): void {
  const messages: string[] = [];
  if (error instanceof ApiError) {
    for (const [name, list] of Object.entries(error.problem.errors ?? {})) {
      if (!place(name, list.join(" "))) messages.push(...list);
    }
    if (!error.problem.errors) messages.push(error.problem.detail ?? error.problem.title ?? t("errors.unexpected"));
  } else {
    messages.push(error instanceof NetworkError ? t("errors.network") : t("errors.unexpected"));
  }
  alert.hidden = messages.length === 0;
  alert.textContent = messages.join(" ");
}
