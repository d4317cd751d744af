import { api } from "./api";
import { h } from "./dom";
import { t } from "./i18n";
import { showProblem } from "./pages/cases";
import { askCancelReason } from "./reasonDialog";

/** The actions an appointment offers wherever it is shown (case page, calendar): resend the invitations, cancel with a reason. */
export function appointmentActions(appointmentId: string, show: { message: HTMLElement; alert: HTMLElement }) {
  return {
    /** Opens the operator's view of the meeting room. */
    join: h("a", { href: `/meeting/${appointmentId}`, "data-link": true, class: "button primary join-meeting" }, t("meeting.join")),
    /** A new meeting code (sent to the customer with a new invitation for individual appointments). */
    newPin: (after: () => Promise<void>) => h("button", { type: "button", class: "secondary", onclick: async () => {
      show.alert.hidden = true;
      try {
        await api("POST", `/api/appointments/${appointmentId}/meeting/pin`, {});
        await after();
      } catch (error) {
        showProblem(error, show.alert, () => false);
      }
    } }, t("meeting.newPin")),
    resend: h("button", { type: "button", class: "secondary", onclick: async () => {
      show.alert.hidden = true;
      try {
        await api("POST", `/api/appointments/${appointmentId}/invitations`, {});
        show.message.className = "alert success";
        show.message.textContent = t("appointments.resent");
      } catch (error) {
        showProblem(error, show.alert, () => false);
      }
    } }, t("appointments.resend")),
    /** Asks for the reason in a dialog, cancels, then runs <c>after</c>. */
    cancel: (after: () => Promise<void>) => h("button", { type: "button", class: "danger", onclick: async () => {
      const reason = await askCancelReason();
      if (reason === null) return;
      try {
        await api("POST", `/api/appointments/${appointmentId}/cancel`, { reason: reason || null });
        await after();
      } catch (error) {
        showProblem(error, show.alert, () => false);
      }
    } }, t("appointments.cancel")),
  };
}
