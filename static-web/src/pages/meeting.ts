import { api, ApiError } from "../api";
import { confirmDialog } from "../confirmDialog";
import { h, replace } from "../dom";
import { t, uiLocale } from "../i18n";
import type { Context } from "../main";
import type { RoomMedia } from "../meet/media";
import type { P2pMedia } from "../meet/p2p";
import { createMedia, routeMediaEvent } from "../meet/mediaFactory";
import { RoomClient, RoomError, type ChatMessage, type ParticipantView, type RoomEvent, type RoomStateName, type RoomView } from "../meet/roomClient";
import { chatPanel, videoArea } from "../meet/roomUi";
import { formatDateTime, formatTime } from "../time";

/**
 * The operator's view of a meeting room (/meeting/<appointment>, the Join of an appointment): who is waiting (Admit),
 * who is inside, chat, video (the same media modules as the customer's page), Request location, End meeting.
 */
export async function meetingPage(ctx: Context, appointmentId: string): Promise<Node> {
  let joined: { session: string; room: RoomView };
  try {
    joined = await api<{ session: string; room: RoomView }>("POST", `/api/appointments/${appointmentId}/meeting`, {});
  } catch (error) {
    const text = error instanceof ApiError && error.problem.status === 409 ? (error.problem.detail ?? t("errors.unexpected"))
      : error instanceof ApiError && error.problem.status === 404 ? t("meeting.notFound") : t("errors.unexpected");
    return h("section", { class: "card" }, h("h1", {}, t("meeting.title")), h("div", { class: "alert error", role: "alert" }, text));
  }
  const { session } = joined;
  const view = joined.room;
  const zone = ctx.me.operator?.timeZone ?? ctx.me.account.timeZone;
  const video = view.mode === "videoAndChat";
  const me = view.you.id;
  const people = new Map<string, ParticipantView>(view.participants.map((p) => [p.id, p]));
  let media: RoomMedia | null = null;
  let p2p: P2pMedia | null = null;
  const mediaReady = new Map<string, boolean>();
  let state: RoomStateName = view.state;

  const alert = h("div", { class: "alert error", role: "alert", hidden: true });
  const stateLine = h("p", { class: "meeting-state", role: "status" });
  const waitingList = h("ul", { class: "meeting-waiting", "aria-label": t("meeting.waiting") });
  const insideList = h("ul", { class: "meeting-inside", "aria-label": t("meeting.inside") });
  const locations = h("div", { class: "meeting-locations", "aria-live": "polite" });
  const pinLocked = h("p", { class: "alert error", role: "status", hidden: !view.pinLocked }, t("meeting.pinLockedShort"));

  const fail = (error: unknown) => {
    alert.textContent = error instanceof RoomError ? (error.problem.detail ?? error.problem.title ?? t("errors.unexpected")) : t("errors.network");
    alert.hidden = false;
  };

  const client = new RoomClient(session, {
    onEvent: (event) => void handle(event),
    onState: (next) => {
      state = next;
      renderPeople();
    },
    onSessionEnded: () => fail(new RoomError({ status: 401, detail: t("meeting.sessionEnded") })),
    onConnection: (trouble) => {
      stateLine.dataset.trouble = String(trouble);
    },
  });

  const chat = chatPanel({ title: t("meeting.chat"), label: t("meeting.message"), send: t("meeting.send"), empty: t("meeting.noMessages"), failed: t("errors.network"), you: t("meeting.you"), locale: uiLocale() },
    me, async (text) => chat.add(await client.sendChat(text)));
  const area = video ? videoArea(t("meeting.video"), t("meeting.you")) : null;

  const admit = async (id: string) => {
    alert.hidden = true;
    try {
      const admitted = await client.call<ParticipantView>("POST", "/api/meet/admit", { participantId: id });
      people.set(admitted.id, admitted);
      renderPeople();
    } catch (error) {
      fail(error);
    }
  };

  const renderPeople = () => {
    stateLine.textContent = state === "ended" ? t("meeting.ended") : t("meeting.open");
    const all = [...people.values()];
    replace(waitingList, all.filter((p) => !p.admitted).map((p) => h("li", { "data-participant": p.id },
      h("span", {}, p.name), " ",
      h("button", { type: "button", class: "primary", disabled: state === "ended", onclick: () => void admit(p.id) }, t("meeting.admit", { name: p.name })))));
    if (!waitingList.childElementCount) waitingList.append(h("li", { class: "muted" }, t("meeting.nobodyWaiting")));
    replace(insideList, all.filter((p) => p.admitted).map((p) => h("li", { "data-participant": p.id }, p.id === me ? t("meeting.you") : p.name)));
  };

  const startVideo = h("button", { type: "button", class: "primary" }, t("meeting.startVideo"));
  const stopVideo = h("button", { type: "button", class: "secondary", hidden: true }, t("meeting.stopVideo"));
  startVideo.addEventListener("click", async () => {
    if (media || !area) return;
    startVideo.disabled = true;
    alert.hidden = true;
    try {
      ({ media, p2p } = await createMedia(client, me, mediaReady));
      await media.join({ cameraId: "", microphoneId: "" }, { local: area.local, remotes: area.remotes });
      startVideo.hidden = true;
      stopVideo.hidden = false;
    } catch (error) {
      media = null;
      p2p = null;
      fail(error instanceof DOMException ? new RoomError({ status: 0, detail: t("meeting.devicesBlocked") }) : error);
    } finally {
      startVideo.disabled = false;
    }
  });
  stopVideo.addEventListener("click", async () => {
    await media?.leave();
    media = null;
    p2p = null;
    startVideo.hidden = false;
    stopVideo.hidden = true;
  });

  const handle = async (event: RoomEvent) => {
    if (await routeMediaEvent(event, mediaReady, p2p)) {
      if (event.type === "left") {
        people.delete(event.data.participantId);
        renderPeople();
      }
      return;
    }
    switch (event.type) {
      case "chat":
        chat.add(event.data as ChatMessage);
        break;
      case "joined":
      case "admitted":
        people.set(event.data.id, event.data as ParticipantView);
        renderPeople();
        break;
      case "location":
        locations.prepend(event.data.shared
          ? h("p", { class: "location-shared" }, t("meeting.locationFrom", {
            name: event.data.name,
            position: `${Number(event.data.latitude).toFixed(5)}, ${Number(event.data.longitude).toFixed(5)}`,
            accuracy: event.data.accuracyMeters === null ? "?" : String(Math.round(event.data.accuracyMeters)),
            when: formatDateTime(event.data.at, zone, uiLocale()) }), " ",
          h("a", { href: event.data.mapUrl, target: "_blank", rel: "noopener noreferrer" }, t("meeting.map")))
          : h("p", { class: "location-refused" }, t("meeting.locationRefused", { name: event.data.name })));
        break;
      case "ended":
        state = "ended";
        await media?.leave();
        media = null;
        renderPeople();
        break;
    }
  };

  const requestLocation = view.locationSharing ? h("button", { type: "button", class: "secondary", onclick: async () => {
    alert.hidden = true;
    try {
      await client.call<void>("POST", "/api/meet/request-location");
      locations.prepend(h("p", { class: "muted" }, t("meeting.locationAsked")));
    } catch (error) {
      fail(error);
    }
  } }, t("meeting.requestLocation")) : null;

  const end = h("button", { type: "button", class: "danger", onclick: async () => {
    if (!(await confirmDialog({ title: t("meeting.end"), text: t("meeting.endConfirm"), confirm: t("meeting.end"), cancel: t("common.cancel"), danger: true }))) return;
    try {
      await client.call<void>("POST", "/api/meet/end");
      await media?.leave();
      media = null;
      state = "ended";
      renderPeople();
    } catch (error) {
      fail(error);
    }
  } }, t("meeting.end"));

  const page = h("section", { class: "meeting-room card" },
    h("div", { class: "topbar" },
      h("div", {},
        h("h1", {}, t("meeting.titleFor", { name: view.caseName })),
        h("p", { class: "muted" }, formatDateTime(view.start, zone, uiLocale()), "–", formatTime(view.end, zone, uiLocale()), " · ",
          h("a", { href: `/cases/${view.caseId}`, "data-link": true }, t("meeting.backToCase")))),
      h("div", { class: "actions" }, requestLocation, end)),
    stateLine, pinLocked, alert,
    h("div", { class: "meeting-layout" },
      h("div", { class: "meeting-main" },
        area ? h("div", {}, area.element, h("div", { class: "actions" }, startVideo, stopVideo)) : h("p", { class: "muted" }, t("meeting.chatOnly")),
        chat.element),
      h("aside", { class: "meeting-side" },
        h("h2", {}, t("meeting.waiting")), waitingList,
        h("h2", {}, t("meeting.inside")), insideList,
        locations)));
  renderPeople();
  client.start();
  // Leaving the page (another dashboard page or closing the tab) hangs up and stops polling.
  document.addEventListener("parley:leave", () => {
    void media?.leave();
    client.stop();
  }, { once: true });
  addEventListener("pagehide", () => void media?.leave(), { once: true });
  return page;
}
