/**
 * The request form inside the overlay (widget.html, served at /widget/{widgetKey} from Parley's origin and framed
 * by the business's website). Speaks the language the host page asked for (?lang=), uses the adviser's button
 * colour (?color=) and remembers the customer's details on this device only when asked to.
 */
import { api, ApiError, NetworkError } from "../api";
import { h, replace, uid } from "../dom";
import { t, useLanguage, type TextKey } from "../i18n";
import { watchPhoneFields } from "../phoneInput";
import { fetchAdviserStatus, presenceText, type AdviserStatus } from "./presenceTexts";

const fieldNames = ["mode", "availableUntil", "wishedDate", "wishedTime", "keyword", "message", "email", "callPhone", "smsPhone", "secretWord"] as const;
type FieldName = (typeof fieldNames)[number];

interface Remembered {
  keyword?: string;
  email?: string;
  callPhone?: string;
  smsPhone?: string;
  secretWord?: string;
}

const root = document.getElementById("widget")!;
watchPhoneFields(root); // the customer's own time zone picks the default country
const widgetKey = decodeURIComponent(/^\/widget\/([^/]+)\/?$/.exec(location.pathname)?.[1] ?? "");
const params = new URLSearchParams(location.search);
const color = /^#[0-9a-fA-F]{6}$/.test(params.get("color") ?? "") ? params.get("color")! : "#2563eb";
const lang = (params.get("lang") ?? "").toLowerCase().startsWith("de") ? "de" : "en";
useLanguage(lang);
/** The visitor's own language for the adviser's status (all seven customer languages; the form itself speaks de/en). */
const visitorLanguage = params.get("lang") ?? "";

/**
 * Whether the adviser is online now, above the form. Only information: the form works the same when they are away
 * (leaving a message is what it is for). Asked at start and every 20 s while the frame is visible.
 */
const presenceNote = h("p", { class: "adviser-presence", role: "status", hidden: true, "data-parley-status": "" });
function showPresence(status: AdviserStatus): void {
  presenceNote.hidden = false;
  presenceNote.dataset.parleyStatus = status;
  presenceNote.textContent = presenceText(visitorLanguage, status === "online" ? "frameOnline" : "frameAway");
}
function watchAdviserPresence(): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const hidden = () => document.visibilityState === "hidden";
  const ask = async () => {
    timer = undefined;
    if (hidden()) return;
    const status = await fetchAdviserStatus(location.origin, widgetKey);
    if (status) showPresence(status);
    if (!hidden() && timer === undefined) timer = setTimeout(() => void ask(), 20_000);
  };
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && timer === undefined) void ask();
  });
  void ask();
}

/** White text on dark colours, dark text on light ones. */
function textOn(hex: string): string {
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 ? "#111827" : "#ffffff";
}
const colorStyle = `background:${color};border-color:${color};color:${textOn(color)}`;

function closeOverlay(): void {
  // Only the request to close; nothing the customer typed ever leaves the frame this way.
  parent.postMessage({ type: "parley:close" }, "*");
}

/**
 * The remembered details come from the server, which keeps them in a sealed, partitioned cookie: browsers that
 * block third-party storage deny localStorage inside this frame, but allow partitioned cookies.
 */
function cleanRemembered(data: unknown): Remembered | null {
  if (!data || typeof data !== "object") return null;
  const out: Remembered = {};
  for (const key of ["keyword", "email", "callPhone", "smsPhone", "secretWord"] as const) {
    const value = (data as Record<string, unknown>)[key];
    if (typeof value === "string") out[key] = value;
  }
  return out;
}

function forgetRemembered(secretWordOnly: boolean): void {
  void api("DELETE", `/api/widget-memory${secretWordOnly ? "?secretWordOnly=true" : ""}`).catch(() => undefined);
}

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

/** Suggested "available until": an hour from now, on the quarter hour, at most 23:45. */
function suggestedUntil(): string {
  const d = new Date(Date.now() + 60 * 60_000);
  if (d.getDate() !== new Date().getDate()) return "23:45";
  const minutes = Math.min(23 * 60 + 45, Math.ceil((d.getHours() * 60 + d.getMinutes()) / 15) * 15);
  return `${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

function localDate(d: Date): string {
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

function header(showClose: boolean): HTMLElement {
  return h("header", { class: "widget-header", style: colorStyle },
    h("h1", {}, t("widget.title")),
    showClose ? h("button", { type: "button", class: "widget-x", "aria-label": t("widget.close"), title: t("widget.close"), style: `color:${textOn(color)}`, onclick: closeOverlay }, "×") : null);
}

function renderForm(maxMessageLength: number, remembered: Remembered | null): void {
  const errors = new Map<FieldName, { error: HTMLElement; inputs: HTMLElement[] }>();
  const errorFor = (name: FieldName, ...inputs: HTMLElement[]) => {
    const error = h("div", { class: "field-error", id: uid(`${name}-error`), hidden: true });
    inputs.forEach((i) => i.setAttribute("aria-describedby", [i.getAttribute("aria-describedby"), error.id].filter(Boolean).join(" ")));
    errors.set(name, { error, inputs });
    return error;
  };
  const input = (name: string, type: string, attrs: Record<string, string | number | boolean | undefined> = {}) =>
    h("input", { id: uid(name), name, type, ...attrs });
  const field = (name: FieldName, label: string, control: HTMLInputElement | HTMLTextAreaElement, hint?: string, extra?: Node) => {
    const hintId = hint ? `${control.id}-hint` : undefined;
    if (hintId) control.setAttribute("aria-describedby", hintId);
    const error = errorFor(name, control);
    return h("div", { class: "field" }, h("label", { for: control.id }, label), control, hint ? h("div", { class: "hint", id: hintId }, hint) : null, extra ?? null, error);
  };

  // When: talk soon (available until HH:MM today) or a wished date and time.
  const soon = input("mode", "radio", { value: "until", checked: true });
  const wish = input("mode", "radio", { value: "wish" });
  const until = input("availableUntil", "time", { value: suggestedUntil(), step: 300 });
  const wishedDate = input("wishedDate", "date", { value: localDate(new Date(Date.now() + 86_400_000)), min: localDate(new Date()) });
  const wishedTime = input("wishedTime", "time", { value: "10:00", step: 300 });
  until.addEventListener("focus", () => { soon.checked = true; });
  until.addEventListener("input", () => { soon.checked = true; });
  [wishedDate, wishedTime].forEach((i) => {
    i.addEventListener("focus", () => { wish.checked = true; });
    i.addEventListener("input", () => { wish.checked = true; });
  });
  const when = h("fieldset", { class: "when" },
    h("legend", {}, t("widget.when")),
    h("div", { class: "choice" },
      h("div", { class: "radio" }, soon, h("label", { for: soon.id }, t("widget.soon"))),
      h("div", { class: "inline-fields" },
        h("label", { for: until.id }, t("widget.availableUntil")), until, h("span", {}, t("widget.today"))),
      errorFor("availableUntil", until)),
    h("div", { class: "choice" },
      h("div", { class: "radio" }, wish, h("label", { for: wish.id }, t("widget.wish"))),
      h("div", { class: "inline-fields" },
        h("span", { class: "pair" }, h("label", { for: wishedDate.id }, t("widget.date")), wishedDate),
        h("span", { class: "pair" }, h("label", { for: wishedTime.id }, t("widget.about")), wishedTime)),
      errorFor("wishedDate", wishedDate),
      errorFor("wishedTime", wishedTime)),
    errorFor("mode", soon, wish));

  const keyword = input("keyword", "text", { value: remembered?.keyword ?? "", maxlength: 60, autocomplete: "off", required: true });
  const message = h("textarea", { id: uid("message"), name: "message", rows: 4, maxlength: maxMessageLength, required: true });
  const counter = h("div", { class: "counter", id: uid("counter"), "aria-live": "off" });
  const updateCounter = () => {
    counter.textContent = `${message.value.length} / ${maxMessageLength}`;
  };
  message.addEventListener("input", updateCounter);
  updateCounter();
  message.setAttribute("aria-describedby", counter.id);
  const email = input("email", "email", { value: remembered?.email ?? "", required: true, autocomplete: "email" });
  const callPhone = input("callPhone", "tel", { value: remembered?.callPhone ?? "", autocomplete: "tel" });
  const smsPhone = input("smsPhone", "tel", { value: remembered?.smsPhone ?? "", autocomplete: "tel", placeholder: "+49 170 1234567" });
  const secretWord = input("secretWord", "password", { value: remembered?.secretWord ?? "", required: true, autocomplete: "off" });
  const remember = input("remember", "checkbox", { checked: remembered !== null });
  const rememberSecret = input("rememberSecret", "checkbox", { checked: remembered?.secretWord !== undefined, disabled: remembered === null });
  remember.addEventListener("change", () => {
    rememberSecret.disabled = !remember.checked;
    if (!remember.checked) {
      rememberSecret.checked = false;
      forgetRemembered(false);
    }
  });
  rememberSecret.addEventListener("change", () => {
    // Withdrawing the opt-in forgets a stored secret word at once.
    if (!rememberSecret.checked) forgetRemembered(true);
  });

  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const submit = h("button", { type: "submit", class: "primary", style: colorStyle }, t("widget.submit"));
  const formEl = h("form", { novalidate: true },
    alert,
    when,
    field("keyword", t("widget.keyword"), keyword, t("widget.keywordHint")),
    field("message", t("widget.message"), message, undefined, counter),
    field("email", t("widget.email"), email, t("widget.emailHint")),
    field("callPhone", t("widget.callPhone"), callPhone, t("widget.callPhoneHint")),
    field("smsPhone", t("widget.smsPhone"), smsPhone, t("widget.smsPhoneHint")),
    field("secretWord", t("widget.secretWord"), secretWord, t("widget.secretWordHint")),
    h("div", { class: "remember" },
      h("div", { class: "checkbox" }, remember, h("label", { for: remember.id }, t("widget.remember"))),
      h("div", { class: "checkbox" }, rememberSecret, h("label", { for: rememberSecret.id }, t("widget.rememberSecret"))),
      h("div", { class: "hint" }, t("widget.rememberHint"))),
    h("div", { class: "actions" }, submit));

  const clear = () => {
    alert.hidden = true;
    alert.textContent = "";
    for (const { error, inputs } of errors.values()) {
      error.hidden = true;
      error.textContent = "";
      inputs.forEach((i) => i.removeAttribute("aria-invalid"));
    }
  };
  const show = (name: string, text: string): boolean => {
    const target = errors.get(name as FieldName);
    if (!target) return false;
    target.error.hidden = false;
    target.error.textContent = text;
    target.inputs.forEach((i) => i.setAttribute("aria-invalid", "true"));
    return true;
  };
  const general = (text: string) => {
    alert.hidden = false;
    alert.textContent = text;
  };
  const focusFirstError = () => {
    const first = formEl.querySelector<HTMLElement>('[aria-invalid="true"]') ?? (alert.hidden ? null : alert);
    if (first === alert) alert.setAttribute("tabindex", "-1");
    first?.focus();
  };

  formEl.addEventListener("submit", async (event) => {
    event.preventDefault();
    clear();
    const mode = wish.checked ? "wish" : "until";
    const local: Partial<Record<FieldName, string>> = {};
    if (mode === "until" && !/^\d{2}:\d{2}$/.test(until.value)) local.availableUntil = t("widget.error.time");
    if (mode === "wish" && !/^\d{4}-\d{2}-\d{2}$/.test(wishedDate.value)) local.wishedDate = t("widget.error.date");
    if (mode === "wish" && !/^\d{2}:\d{2}$/.test(wishedTime.value)) local.wishedTime = t("widget.error.time");
    if (keyword.value.trim() === "") local.keyword = t("errors.required");
    if (message.value.trim() === "") local.message = t("errors.required");
    if (email.value.trim() === "") local.email = t("errors.required");
    else if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email.value.trim())) local.email = t("errors.email");
    if (secretWord.value === "") local.secretWord = t("errors.required");
    if (Object.keys(local).length > 0) {
      Object.entries(local).forEach(([name, text]) => show(name, text));
      focusFirstError();
      return;
    }
    const body = {
      mode,
      availableUntil: mode === "until" ? until.value : null,
      wishedDate: mode === "wish" ? wishedDate.value : null,
      wishedTime: mode === "wish" ? wishedTime.value : null,
      timeZone: Intl.DateTimeFormat().resolvedOptions().timeZone,
      keyword: keyword.value.trim(),
      message: message.value.trim(),
      email: email.value.trim(),
      callPhone: callPhone.value.trim() || null,
      smsPhone: smsPhone.value.trim() || null,
      secretWord: secretWord.value,
      language: lang,
      remember: remember.checked,
      rememberSecretWord: remember.checked && rememberSecret.checked,
    };
    submit.disabled = true;
    submit.textContent = t("widget.sending");
    try {
      const created = await api<{ customerId: string }>("POST", `/api/widget/${encodeURIComponent(widgetKey)}/dialogs`, body);
      renderThanks(created.customerId);
      return;
    } catch (error) {
      if (error instanceof ApiError) {
        const status = error.problem.status;
        const unmatched: string[] = [];
        for (const [name, messages] of Object.entries(error.problem.errors ?? {})) {
          if (!show(name, messages.join(" "))) unmatched.push(...messages);
        }
        if (status === 429) general(t("widget.error.rateLimited"));
        else if (status === 503) general(t("widget.error.unavailable"));
        else if (unmatched.length > 0) general(unmatched.join(" "));
        else if (!error.problem.errors || Object.keys(error.problem.errors).length === 0) general(error.problem.detail ?? t("widget.error.unexpected"));
      } else {
        general(error instanceof NetworkError ? t("widget.error.network") : t("widget.error.unexpected"));
      }
      focusFirstError();
    }
    submit.disabled = false;
    submit.textContent = t("widget.submit");
  });

  replace(root, header(true), h("main", { class: "widget-body" }, presenceNote, h("p", { class: "intro" }, t("widget.intro")), formEl));
}

function renderThanks(customerId: string): void {
  const close = h("button", { type: "button", class: "primary", style: colorStyle, onclick: closeOverlay }, t("widget.close"));
  // The customer ID in bold inside the translated sentence, still inserted as text.
  const [before, after] = t("widget.thanks", { customerId: "\u0000" }).split("\u0000");
  replace(root, header(false), h("main", { class: "widget-body thanks" },
    h("div", { role: "status", class: "alert success" },
      h("p", {}, before ?? "", h("strong", { class: "customer-id" }, customerId), after ?? "")),
    h("div", { class: "actions" }, close)));
  close.focus();
}

function renderInvalid(key: TextKey): void {
  replace(root, header(true), h("main", { class: "widget-body" }, h("div", { class: "alert error", role: "alert" }, t(key))));
}

async function start(): Promise<void> {
  document.title = t("widget.title");
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") closeOverlay();
  });
  if (!widgetKey) {
    renderInvalid("widget.error.unexpected");
    return;
  }
  let maxMessageLength = 500;
  let remembered: Remembered | null = null;
  try {
    const info = await api<{ maxMessageLength: number; remembered: unknown }>("GET", `/api/widget/${encodeURIComponent(widgetKey)}`);
    if (Number.isInteger(info.maxMessageLength) && info.maxMessageLength > 0) maxMessageLength = info.maxMessageLength;
    remembered = cleanRemembered(info.remembered);
  } catch {
    // The form still works with the default length; the server checks again.
  }
  renderForm(maxMessageLength, remembered);
  watchAdviserPresence();
}

void start();
