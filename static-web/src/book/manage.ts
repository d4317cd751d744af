import { h, replace } from "../dom";
import { BookError, call, query, type Booking, type BookingPage, type Slots } from "./api";
import { failure, slotPicker } from "./calendar";
import { bt, formatTime, formatWindow, supported, useLanguage, viewerZone } from "./texts";

/**
 * The booker's own link (/booking#<token>, from the confirmation and the invitation): the booking in the viewer's
 * zone, what happened to it, and — until it starts — reschedule, cancel and the calendar file. The token stays in
 * the fragment, so it never reaches a server log.
 */
export async function managePage(root: HTMLElement): Promise<void> {
  const token = decodeURIComponent(location.hash.slice(1));
  const chosen = supported(new URLSearchParams(location.search).get("lang"), navigator.language);
  await useLanguage(chosen ?? "en");
  document.title = bt("manage.title");
  const base = `/api/booking/${encodeURIComponent(token)}`;
  let booking: Booking;
  try {
    if (!token) throw new BookError({ status: 404 });
    booking = await call<Booking>("GET", base);
  } catch (error) {
    const heading = h("h1", { tabindex: "-1" }, bt("manage.invalidTitle"));
    const gone = error instanceof BookError && error.problem.status === 404;
    replace(root, h("div", { class: "book-card", id: "manage-invalid" }, heading,
      h("div", { class: "alert error", role: "alert" }, h("p", {}, gone ? error.problem.detail || bt("manage.invalid") : failure(error))),
      gone ? null : h("button", { type: "button", id: "manage-retry", onclick: () => void managePage(root) }, bt("retry"))));
    heading.focus();
    return;
  }
  // The booking page's settings: its languages and how far ahead a new time may be (absent when the page is off).
  const config = await call<BookingPage>("GET", `/api/book/${encodeURIComponent(booking.handle)}`).catch(() => null);
  if (!chosen && config) await useLanguage(config.defaultLanguage);
  new ManageView(root, base, booking, config?.daysAhead ?? 90).render(null);
}

class ManageView {
  private readonly zone = viewerZone();
  private readonly panel = h("section", { id: "manage-panel", class: "step", hidden: true });
  private readonly status = h("div", { id: "manage-status", class: "book-status", role: "status", "aria-live": "polite" });

  constructor(private readonly root: HTMLElement, private readonly base: string, private booking: Booking, private readonly daysAhead: number) {}

  render(message: string | null): void {
    const b = this.booking;
    const cancelled = b.status === "cancelled";
    const notes: HTMLElement[] = [];
    if (cancelled) {
      notes.push(h("p", { id: "manage-cancelled-by" }, b.cancelledBy === "business" ? bt("manage.cancelledByBusiness", { business: b.businessName }) : bt("manage.cancelledByBooker")));
      if (b.reason) notes.push(h("p", { id: "manage-reason" }, bt("manage.reason", { reason: b.reason })));
      notes.push(h("p", {}, h("a", { class: "button", id: "manage-book-again", href: `/book/${encodeURIComponent(b.handle)}` }, bt("manage.bookAgain"))));
    } else {
      if (b.movedBy === "business" && b.previousStart) {
        notes.push(h("p", { class: "alert info", id: "manage-moved" }, bt("manage.movedByBusiness", { business: b.businessName, old: this.when(b.previousStart), new: this.when(b.start) })));
      } else if (b.movedBy === "booker" && b.previousStart) {
        notes.push(h("p", { class: "muted", id: "manage-moved" }, bt("manage.movedByBooker", { old: this.when(b.previousStart) })));
      }
      if (!b.canChange) notes.push(h("p", { class: "muted", id: "manage-locked" }, bt("manage.locked")));
    }
    const actions = cancelled ? null : h("div", { class: "actions start", id: "manage-actions" },
      b.canChange ? h("button", { type: "button", id: "manage-reschedule", onclick: () => this.reschedule() }, bt("manage.reschedule")) : null,
      b.canChange ? h("button", { type: "button", class: "danger", id: "manage-cancel", onclick: () => this.cancel() }, bt("manage.cancel")) : null,
      h("a", { class: "button secondary", id: "manage-calendar", href: `${this.base}/calendar.ics`, download: "booking.ics" }, bt("calendar")));
    this.say(message, "success");
    this.panel.hidden = true;
    replace(this.panel);
    const heading = h("h1", { id: "manage-title", tabindex: "-1" }, bt("manage.title"));
    replace(this.root,
      h("div", { class: "book-card" },
        h("header", { class: "book-head" }, h("p", { class: "book-business" }, b.businessName), heading),
        h("p", { class: cancelled ? "badge off" : "badge", id: "manage-state", "data-status": b.status }, bt(cancelled ? "status.cancelled" : "status.scheduled")),
        h("p", { class: cancelled ? "chosen struck" : "chosen", id: "manage-when" }, formatWindow(b.start, b.end, this.zone)),
        h("p", { id: "manage-with" }, bt("manage.with", { operator: b.operatorName, business: b.businessName })),
        this.status, notes, actions, this.panel),
      h("footer", { class: "book-footer" }, bt("footer")));
    if (message) heading.focus();
  }

  /** A message in the live region (moved, cancelled, taken), or none. */
  private say(message: string | null, kind: "success" | "error"): void {
    replace(this.status, message ? h("p", { class: `alert ${kind}` }, message) : null);
  }

  private when(iso: string): string {
    return `${new Intl.DateTimeFormat(document.documentElement.lang, { dateStyle: "medium", timeZone: this.zone }).format(new Date(iso))} ${formatTime(iso, this.zone)}`;
  }

  private open(...children: (Node | null)[]): void {
    replace(this.panel, ...children);
    this.panel.hidden = false;
  }

  private reschedule(): void {
    const picker = slotPicker({
      prefix: "manage",
      key: "reschedule",
      zone: this.zone,
      daysAhead: this.daysAhead,
      load: (from, to, zone) => call<Slots>("GET", `${this.base}/slots?${query({ from, to, timeZone: zone })}`).then((s) => s.days),
      onPick: (slot, day) => confirm(slot, day),
    });
    const choose = h("div", { id: "manage-choose" },
      h("h2", { id: "manage-reschedule-title", tabindex: "-1" }, bt("reschedule.title")),
      h("p", { class: "muted" }, bt("zone.shown", { zone: this.zone.replace(/_/g, " ") })),
      picker.element,
      h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", id: "manage-reschedule-close", onclick: () => this.render(null) }, bt("back"))));
    const confirmBox = h("div", { id: "manage-confirm", hidden: true });
    const confirm = (slot: string, day: string) => {
      const end = new Date(new Date(slot).getTime() + (new Date(this.booking.end).getTime() - new Date(this.booking.start).getTime())).toISOString();
      const reason = h("textarea", { id: "manage-reschedule-reason", rows: 3, maxlength: 1000 });
      const alert = h("div", { class: "alert error", role: "alert", id: "manage-reschedule-error", hidden: true });
      const submit = h("button", { type: "button", class: "primary", id: "manage-reschedule-submit" }, bt("reschedule.submit"));
      const heading = h("h2", { tabindex: "-1" }, bt("reschedule.confirm"));
      submit.addEventListener("click", async () => {
        submit.disabled = true;
        try {
          this.booking = await call<Booking>("POST", `${this.base}/reschedule`, { start: slot, reason: reason.value.trim() || null });
          this.render(bt("reschedule.done"));
        } catch (error) {
          submit.disabled = false;
          if (error instanceof BookError && error.problem.status === 409) {
            confirmBox.hidden = true;
            choose.hidden = false;
            picker.showDay(day, error.problem.slots ?? []);
            this.say(bt("taken"), "error");
            picker.focus();
            return;
          }
          alert.textContent = failure(error);
          alert.hidden = false;
        }
      });
      replace(confirmBox, heading,
        h("p", { class: "chosen", id: "manage-new-when" }, formatWindow(slot, end, this.zone)),
        h("div", { class: "field" }, h("label", { for: "manage-reschedule-reason" }, bt("reason.label")), reason),
        alert,
        h("div", { class: "actions" },
          h("button", { type: "button", class: "secondary", id: "manage-reschedule-back", onclick: () => { confirmBox.hidden = true; choose.hidden = false; picker.focus(); } }, bt("form.back")),
          submit));
      this.say(null, "success");
      choose.hidden = true;
      confirmBox.hidden = false;
      heading.focus();
    };
    this.open(choose, confirmBox);
    choose.querySelector<HTMLElement>("h2")!.focus();
  }

  private cancel(): void {
    const reason = h("textarea", { id: "manage-cancel-reason", rows: 3, maxlength: 1000 });
    const alert = h("div", { class: "alert error", role: "alert", id: "manage-cancel-error", hidden: true });
    const confirm = h("button", { type: "button", class: "danger", id: "manage-cancel-confirm" }, bt("cancel.submit"));
    const heading = h("h2", { tabindex: "-1", id: "manage-cancel-title" }, bt("cancel.title"));
    confirm.addEventListener("click", async () => {
      confirm.disabled = true;
      try {
        this.booking = await call<Booking>("POST", `${this.base}/cancel`, { reason: reason.value.trim() || null });
        this.render(bt("cancel.done"));
      } catch (error) {
        confirm.disabled = false;
        alert.textContent = failure(error);
        alert.hidden = false;
      }
    });
    this.open(heading,
      h("div", { class: "field" }, h("label", { for: "manage-cancel-reason" }, bt("reason.label")), reason),
      alert,
      h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", id: "manage-cancel-keep", onclick: () => this.render(null) }, bt("cancel.keep")),
        confirm));
    heading.focus();
  }
}
