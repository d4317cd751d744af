import { h, replace } from "../dom";
import { BookError, OfflineError, call, newKey, query, type BookingPage, type Booked, type Question, type Slots } from "./api";
import { failure, slotPicker, type Picker } from "./calendar";
import { connectHost, readEmbed, type HostLink } from "./embedFrame";
import { bt, formatWindow, languageNames, pageLanguage, supported, useLanguage, viewerZone } from "./texts";

/**
 * The public booking page (/book/<handle>): length, time zone, month, day and time, then the booker's details;
 * the confirmation with the calendar file and the booker's own link. In a website's frame (book-embed.js) the page
 * drops its chrome, takes the prefill and tells the host page about the booking.
 */
export async function bookingPage(root: HTMLElement, handle: string): Promise<void> {
  const params = new URLSearchParams(location.search);
  const embed = readEmbed();
  const chosen = supported(params.get("lang"), embed.prefill.language, navigator.language);
  if (embed.embed) document.documentElement.classList.add("book-embedded");
  // The page's settings and its language's texts load side by side.
  const loading = call<BookingPage>("GET", `/api/book/${encodeURIComponent(handle)}`);
  loading.catch(() => undefined);
  await useLanguage(chosen ?? "en");
  document.title = bt("loading");

  let config: BookingPage;
  try {
    config = await loading;
  } catch (error) {
    if (error instanceof BookError && error.problem.status === 404) return notFound(root);
    const retry = h("button", { type: "button", id: "book-retry", onclick: () => void bookingPage(root, handle) }, bt("retry"));
    replace(root, h("div", { class: "book-card" }, h("div", { class: "alert error", role: "alert" }, h("p", {}, failure(error))), retry));
    retry.focus();
    return;
  }
  if (!chosen) await useLanguage(config.defaultLanguage);
  document.title = bt("title", { name: config.operatorName });
  new BookingFlow(root, config, connectHost(embed, config.embedOrigins ?? [], root), embed.prefill, embed.embed).start();
}

function notFound(root: HTMLElement): void {
  document.title = bt("notFound.title");
  const heading = h("h1", { tabindex: "-1" }, bt("notFound.title"));
  replace(root, h("div", { class: "book-card", id: "book-not-found" }, heading, h("p", {}, bt("notFound.text"))));
  heading.focus();
}

type Field = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

class BookingFlow {
  private zone = viewerZone();
  private length: number;
  private picker!: Picker;
  private slot: string | null = null;
  private day: string | null = null;
  /** The submission in flight or last lost to the network: the same body is sent again with the same key. */
  private pending: { key: string; body: string } | null = null;
  private readonly status = h("div", { id: "book-status", class: "book-status", role: "status", "aria-live": "polite" });
  private readonly stepTime = h("section", { id: "book-step-time", class: "step", "aria-labelledby": "book-step-time-title" });
  private readonly stepForm = h("section", { id: "book-step-form", class: "step", hidden: true, "aria-labelledby": "book-form-title" });
  private readonly fields = new Map<string, { input: Field; error: HTMLElement }>();
  private formAlert = h("div", { id: "book-form-alert", class: "alert error", role: "alert", tabindex: "-1", hidden: true });

  constructor(
    private readonly root: HTMLElement,
    private readonly config: BookingPage,
    private readonly host: HostLink,
    private readonly prefill: { name?: string; email?: string; language?: string; metadata?: Record<string, string> },
    private readonly embedded: boolean,
  ) {
    this.length = config.lengths[0] ?? 30;
  }

  start(): void {
    const c = this.config;
    this.picker = slotPicker({
      prefix: "book",
      key: String(this.length),
      zone: this.zone,
      daysAhead: c.daysAhead,
      load: (from, to, zone) => call<Slots>("GET", `/api/book/${encodeURIComponent(c.handle)}/slots?${query({ length: this.length, from, to, timeZone: zone })}`).then((s) => s.days),
      onPick: (slot, day) => this.pick(slot, day),
    });
    replace(this.stepTime,
      h("h2", { id: "book-step-time-title", class: "step-title" }, bt("step.time")),
      this.lengthChoice(),
      this.zoneChoice(),
      this.picker.element);
    replace(this.root,
      h("div", { class: "book-card" },
        h("header", { class: "book-head" },
          h("p", { class: "book-business", id: "book-business" }, c.businessName),
          h("h1", { id: "book-operator" }, bt("title", { name: c.operatorName }))),
        this.status,
        this.stepTime,
        this.stepForm),
      h("footer", { class: "book-footer" }, bt("footer")));
  }

  private lengthChoice(): HTMLElement | null {
    if (this.config.lengths.length < 2) {
      return h("p", { class: "muted", id: "book-length" }, bt("length.one", { minutes: String(this.length) }));
    }
    const group = h("div", { class: "lengths", role: "group", "aria-labelledby": "book-length-label" });
    const buttons = this.config.lengths.map((minutes) => h("button", {
      type: "button", class: "length", id: `book-length-${minutes}`, "aria-pressed": String(minutes === this.length),
      onclick: () => {
        this.length = minutes;
        buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.id === `book-length-${minutes}`)));
        this.picker.setKey(String(minutes));
      },
    }, bt("length.option", { minutes: String(minutes) })));
    group.append(...buttons);
    return h("div", { class: "field" }, h("span", { class: "label", id: "book-length-label" }, bt("length.label")), group);
  }

  private zoneChoice(): HTMLElement {
    let zones: string[] = [];
    try {
      zones = Intl.supportedValuesOf("timeZone");
    } catch {
      // an old browser: the detected zone and the operator's
    }
    const all = [...new Set([...zones, this.zone, this.config.timeZone])].sort();
    const select = h("select", { id: "book-zone", name: "timeZone" },
      all.map((zone) => h("option", { value: zone, selected: zone === this.zone }, zone.replace(/_/g, " "))));
    select.addEventListener("change", () => {
      this.zone = select.value;
      this.picker.setZone(this.zone);
    });
    return h("div", { class: "field zone" }, h("label", { for: "book-zone" }, bt("zone.label")), select);
  }

  private end(slot: string): string {
    return new Date(new Date(slot).getTime() + this.length * 60000).toISOString();
  }

  private pick(slot: string, day: string): void {
    this.slot = slot;
    this.day = day;
    this.status.textContent = "";
    this.showForm();
  }

  private showForm(): void {
    const c = this.config;
    const slot = this.slot!;
    this.fields.clear();
    this.formAlert = h("div", { id: "book-form-alert", class: "alert error", role: "alert", tabindex: "-1", hidden: true });
    const name = this.input("name", bt("form.name"), h("input", { id: "book-name", name: "name", autocomplete: "name", maxlength: 200, required: true, value: this.prefill.name ?? "" }));
    const email = this.input("email", bt("form.email"), h("input", { id: "book-email", name: "email", type: "email", autocomplete: "email", maxlength: 254, value: this.prefill.email ?? "" }));
    const phone = this.input("phone", bt("form.phone"), h("input", { id: "book-phone", name: "phone", type: "tel", autocomplete: "tel", maxlength: 40 }));
    const language = this.input("language", bt("form.language"), h("select", { id: "book-language", name: "language" },
      Object.entries(languageNames).map(([code, label]) => h("option", { value: code, lang: code, selected: code === pageLanguage() }, label))));
    const note = this.input("note", bt("form.note"), h("textarea", { id: "book-note", name: "note", rows: 3, maxlength: 1000 }));
    const consent = c.consentText ? this.consentField(c.consentText) : null;
    const questions = (c.questions ?? []).map((q) => this.question(q));
    for (const field of ["email", "phone"]) this.fields.get(field)!.input.setAttribute("aria-describedby", `book-contact-hint book-${field}-error`);
    const submit = h("button", { type: "submit", class: "primary", id: "book-submit" }, bt("form.submit"));
    const back = h("button", { type: "button", class: "secondary", id: "book-back", onclick: () => this.backToTimes() }, bt("form.back"));
    const form = h("form", { id: "book-form", novalidate: true },
      name, h("p", { class: "hint contact-hint", id: "book-contact-hint" }, bt("form.contactHint")), email, phone,
      questions, language, note, consent, this.formAlert,
      h("div", { class: "actions" }, back, submit));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit(submit);
    });
    const heading = h("h2", { id: "book-form-title", class: "step-title", tabindex: "-1" }, bt("form.title"));
    replace(this.stepForm, heading,
      h("p", { class: "chosen", id: "book-chosen" }, formatWindow(slot, this.end(slot), this.zone)),
      form);
    this.stepTime.hidden = true;
    this.stepForm.hidden = false;
    heading.focus();
  }

  /** A labelled field with its error line (aria-describedby), registered under the request's field name. */
  private input(field: string, label: string, input: Field, hint?: string): HTMLElement {
    const error = h("p", { class: "field-error", id: `${input.id}-error`, hidden: true });
    input.setAttribute("aria-describedby", `${input.id}-error`);
    this.fields.set(field, { input, error });
    return h("div", { class: "field" }, h("label", { for: input.id }, label, input.required ? h("span", { class: "required", "aria-hidden": "true" }, " *") : null),
      hint ? h("p", { class: "hint" }, hint) : null, input, error);
  }

  private consentField(text: string): HTMLElement {
    const input = h("input", { type: "checkbox", id: "book-consent", name: "consent", required: true });
    const error = h("p", { class: "field-error", id: "book-consent-error", hidden: true });
    input.setAttribute("aria-describedby", "book-consent-error");
    this.fields.set("consent", { input, error });
    return h("div", { class: "field consent" }, h("div", { class: "checkbox" }, input, h("label", { for: "book-consent" }, text)), error);
  }

  private question(q: Question): HTMLElement {
    const id = `book-q-${q.key}`;
    const input: Field = q.type === "choice"
      ? h("select", { id, name: q.key, required: q.required }, h("option", { value: "" }, "—"), (q.choices ?? []).map((choice) => h("option", { value: choice }, choice)))
      : h("input", { id, name: q.key, type: q.type === "date" ? "date" : q.type === "number" ? "number" : "text", required: q.required, maxlength: q.type === "text" ? 500 : undefined, step: q.type === "number" ? "any" : undefined });
    input.dataset.question = q.key;
    return this.input(`answers.${q.key}`, q.label, input);
  }

  private backToTimes(): void {
    this.stepForm.hidden = true;
    this.stepTime.hidden = false;
    this.picker.focus();
  }

  private value(field: string): string {
    return this.fields.get(field)?.input.value.trim() ?? "";
  }

  private showErrors(errors: Record<string, string[] | string>): void {
    const unplaced: string[] = [];
    let first: Field | null = null;
    for (const [name, messages] of Object.entries(errors)) {
      const text = Array.isArray(messages) ? messages.join(" ") : messages;
      // answers.key, answers[key] and Answers.Key all name a question.
      const normal = name.replace(/^answers\[["']?([^\]"']+)["']?\]$/i, "answers.$1").replace(/^answers\./i, "answers.").replace(/^(\w)/, (ch) => ch.toLowerCase());
      const target = this.fields.get(normal);
      if (!target) {
        unplaced.push(text);
        continue;
      }
      target.error.textContent = text;
      target.error.hidden = false;
      target.input.setAttribute("aria-invalid", "true");
      first ??= target.input;
    }
    this.formAlert.textContent = [bt("error.form"), ...unplaced].join(" ");
    this.formAlert.hidden = false;
    (first ?? this.formAlert).focus();
  }

  private clearErrors(): void {
    for (const { input, error } of this.fields.values()) {
      error.hidden = true;
      error.textContent = "";
      input.removeAttribute("aria-invalid");
    }
    this.formAlert.hidden = true;
    this.formAlert.textContent = "";
  }

  private validate(): Record<string, string> {
    const errors: Record<string, string> = {};
    if (!this.value("name")) errors.name = bt("error.required");
    const email = this.fields.get("email")!.input as HTMLInputElement;
    if (!this.value("email") && !this.value("phone")) errors.email = errors.phone = bt("error.contact");
    else if (this.value("email") && !email.validity.valid) errors.email = bt("error.email");
    const consent = this.fields.get("consent")?.input as HTMLInputElement | undefined;
    if (consent && !consent.checked) errors.consent = bt("error.consent");
    for (const q of this.config.questions ?? []) {
      const field = this.fields.get(`answers.${q.key}`)!.input;
      if (q.required && !field.value.trim()) errors[`answers.${q.key}`] = bt("error.required");
      else if (q.type === "number" && field instanceof HTMLInputElement && field.validity.badInput) errors[`answers.${q.key}`] = bt("error.number");
    }
    return errors;
  }

  private async submit(button: HTMLButtonElement): Promise<void> {
    this.clearErrors();
    const problems = this.validate();
    if (Object.keys(problems).length > 0) return this.showErrors(problems);
    const answers: Record<string, string> = {};
    for (const q of this.config.questions ?? []) {
      const value = this.value(`answers.${q.key}`);
      if (value) answers[q.key] = value;
    }
    const consent = this.fields.get("consent")?.input as HTMLInputElement | undefined;
    const body = JSON.stringify({
      start: this.slot,
      length: this.length,
      name: this.value("name"),
      email: this.value("email") || null,
      phone: this.value("phone") || null,
      language: this.value("language") || pageLanguage(),
      timeZone: this.zone,
      note: this.value("note") || null,
      consent: consent ? consent.checked : false,
      answers,
      metadata: this.prefill.metadata ?? {},
    });
    if (!this.pending || this.pending.body !== body) this.pending = { key: newKey(), body };
    button.disabled = true;
    button.textContent = bt("form.submitting");
    this.status.textContent = bt("form.submitting");
    try {
      const booked = await call<Booked>("POST", `/api/book/${encodeURIComponent(this.config.handle)}`, JSON.parse(body), { "Idempotency-Key": this.pending.key });
      this.pending = null;
      this.done(booked);
    } catch (error) {
      button.disabled = false;
      button.textContent = bt("form.submit");
      this.status.textContent = "";
      if (!(error instanceof OfflineError)) this.pending = null;
      this.failed(error);
    }
  }

  private failed(error: unknown): void {
    if (error instanceof BookError && error.problem.status === 409) {
      // Taken meanwhile: back to the times of that day, with the server's fresh list.
      this.stepForm.hidden = true;
      this.stepTime.hidden = false;
      this.picker.showDay(this.day!, error.problem.slots ?? []);
      this.status.replaceChildren(h("div", { class: "alert error", id: "book-taken", role: "alert" }, bt("taken")));
      this.picker.focus();
      return;
    }
    if (error instanceof BookError && error.problem.status === 400 && error.problem.errors) return this.showErrors(error.problem.errors);
    this.formAlert.textContent = error instanceof OfflineError ? bt("network.retry") : failure(error);
    this.formAlert.hidden = false;
  }

  private done(booked: Booked): void {
    this.host.booked({ id: booked.id, start: booked.start, end: booked.end });
    const heading = h("h2", { tabindex: "-1", id: "book-done-title" }, bt("done.title"));
    const external = this.embedded ? { target: "_blank", rel: "noopener" } : {};
    const zone = this.zone;
    replace(this.stepForm);
    this.stepForm.hidden = true;
    this.stepTime.replaceWith(h("section", { id: "book-done", class: "step done", "aria-labelledby": "book-done-title" },
      heading,
      h("p", { id: "book-done-when", class: "chosen" }, formatWindow(booked.start, booked.end, zone)),
      h("p", {}, bt("done.with", { operator: booked.operatorName, business: booked.businessName })),
      h("p", { class: "actions start" },
        h("a", { class: "button", id: "book-done-calendar", href: booked.icsUrl, download: "booking.ics" }, bt("calendar"))),
      h("p", {}, h("a", { id: "book-done-manage", href: booked.manageUrl, ...external }, bt("done.manage"))),
      h("p", { class: "hint" }, bt("done.manageNote"))));
    this.status.textContent = "";
    document.title = bt("done.title");
    heading.focus();
  }
}

