import { h, replace } from "../dom";
import { deviceCheck, type DeviceCheck } from "./deviceCheck";
import type { DeviceChoice, RoomMedia } from "./media";
import { createMedia, routeMediaEvent } from "./mediaFactory";
import type { P2pMedia } from "./p2p";
import { RoomClient, RoomError, roomCall, type ChatMessage, type RoomEvent, type RoomStateName, type RoomView } from "./roomClient";
import { chatPanel, videoArea } from "./roomUi";
import { formatTime, formatWindow, meetLanguage, mt, useMeetLanguage } from "./texts";

/**
 * The customer's meeting page (/meet#<token>, the link in every invitation and reminder). No account, no cookie: the
 * token stays in the fragment (never sent in a URL), the code is asked when the meeting is protected, and the
 * meeting session lives in this tab's sessionStorage so a reload comes straight back.
 */
interface Intro {
  businessName: string;
  language: string;
  pinRequired: boolean;
  nameRequired: boolean;
}

const root = document.getElementById("meet")!;
const token = location.hash.slice(1);
const storageKey = "parley.meet";

function remembered(): string | null {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey) ?? "null") as { token: string; session: string } | null;
    return saved && saved.token === token ? saved.session : null;
  } catch {
    return null;
  }
}

function remember(session: string | null): void {
  try {
    if (session) sessionStorage.setItem(storageKey, JSON.stringify({ token, session }));
    else sessionStorage.removeItem(storageKey);
  } catch {
    // without storage a reload asks again
  }
}

function card(...children: (Node | string | null)[]): HTMLElement {
  const element = h("div", { class: "public-card meet-card" }, ...children);
  replace(root, element);
  return element;
}

function invalid(): void {
  document.title = mt("invalid.title");
  card(h("h1", {}, mt("invalid.title")), h("div", { class: "alert error", role: "alert" }, mt("invalid.text")));
}

async function start(): Promise<void> {
  useMeetLanguage(navigator.language);
  if (!token) return invalid();
  const session = remembered();
  if (session) {
    try {
      const view = await roomCall<RoomView>("GET", "/api/meet/room", session);
      return enter(session, view);
    } catch (error) {
      if (!(error instanceof RoomError && error.problem.status === 401)) return unavailable(start);
      remember(null);
    }
  }
  let intro: Intro;
  try {
    intro = await roomCall<Intro>("POST", "/api/meet/intro", null, { token });
  } catch (error) {
    if (error instanceof RoomError && error.problem.status === 401) return invalid();
    if (error instanceof RoomError && error.problem.status === 429) return tooMany();
    return unavailable(start);
  }
  useMeetLanguage(intro.language);
  document.title = mt("title", { business: intro.businessName });
  if (!intro.pinRequired && !intro.nameRequired) return join(intro, null, null);
  askCode(intro, null);
}

function tooMany(): void {
  card(h("div", { class: "alert error", role: "alert" }, mt("tooMany")));
}

function unavailable(retry: () => Promise<void>): void {
  card(h("div", { class: "alert error", role: "alert" }, mt("unavailable")),
    h("button", { type: "button", onclick: () => void retry() }, mt("retry")));
}

function askCode(intro: Intro, message: string | null): void {
  const pin = h("input", { id: "meet-pin", name: "pin", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: 6, required: true });
  const name = h("input", { id: "meet-name", name: "name", maxlength: 60, required: true, autocomplete: "name" });
  const submit = h("button", { type: "submit", class: "primary" }, mt("pin.submit"));
  const form = h("form", { class: "meet-join", novalidate: true },
    intro.nameRequired ? h("div", { class: "field" }, h("label", { for: "meet-name" }, mt("name.label")), name) : null,
    intro.pinRequired ? h("div", { class: "field" }, h("label", { for: "meet-pin" }, mt("pin.label")), pin, h("p", { class: "hint" }, mt("pin.hint"))) : null,
    message ? h("div", { class: "alert error", role: "alert" }, message) : null,
    submit);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    submit.disabled = true;
    void join(intro, intro.pinRequired ? pin.value.trim() : null, intro.nameRequired ? name.value.trim() : null);
  });
  card(h("p", { class: "meet-business" }, intro.businessName), h("h1", {}, mt(intro.pinRequired ? "pin.title" : "title", { business: intro.businessName })), form);
  (intro.nameRequired ? name : pin).focus();
}

async function join(intro: Intro, pin: string | null, name: string | null): Promise<void> {
  try {
    const joined = await roomCall<{ session: string; room: RoomView }>("POST", "/api/meet/join", null, { token, pin, name }, meetLanguage());
    remember(joined.session);
    enter(joined.session, joined.room);
  } catch (error) {
    if (error instanceof RoomError && error.problem.status === 401) return askCode(intro, mt("failed"));
    if (error instanceof RoomError && error.problem.status === 429) return askCode(intro, mt("tooMany"));
    if (error instanceof RoomError && error.problem.status === 400) return askCode(intro, Object.values(error.problem.errors ?? {}).flat().join(" ") || mt("failed"));
    askCode(intro, mt("unavailable"));
  }
}

/** Inside: the state, the chat, and (video meetings) the device check, then the video. */
function enter(session: string, view: RoomView): void {
  useMeetLanguage(view.language);
  document.title = mt("title", { business: view.businessName });
  let state: RoomStateName = view.state;
  let media: RoomMedia | null = null;
  let p2p: P2pMedia | null = null;
  let check: DeviceCheck | null = null;
  const video = view.mode === "videoAndChat";
  const me = view.you.id;

  const stateLine = h("p", { class: "meet-state", role: "status", "data-state": state });
  const connection = h("p", { class: "alert warning", role: "status", hidden: true }, mt("connection.trouble"));
  const client = new RoomClient(session, {
    onEvent: (event) => void handle(event),
    onState: (next) => setState(next),
    onSessionEnded: () => {
      remember(null);
      void media?.leave();
      card(h("h1", {}, view.businessName), h("div", { class: "alert error", role: "alert" }, mt("sessionEnded")));
    },
    onConnection: (trouble) => (connection.hidden = !trouble),
  }, meetLanguage());
  const chat = chatPanel({ title: mt("chat.title"), label: mt("chat.label"), send: mt("chat.send"), empty: mt("chat.empty"), failed: mt("chat.failed"), you: mt("you"), locale: meetLanguage() },
    me, async (text) => chat.add(await client.sendChat(text)));
  const area = video ? videoArea(mt("video.title"), mt("you")) : null;
  const joinChoice = h("div", { class: "meet-join-choice", hidden: true },
    h("p", {}, mt("device.admitted")),
    h("div", { class: "actions" },
      h("button", { type: "button", class: "primary", onclick: () => void startMedia({ cameraId: "", microphoneId: "" }) }, mt("device.withVideo")),
      h("button", { type: "button", onclick: () => void startMedia({ cameraId: null, microphoneId: null }) }, mt("device.withoutVideo"))));
  const locationPrompt = h("div", { class: "meet-location", role: "alertdialog", hidden: true });
  const leave = h("button", { type: "button", class: "danger" }, mt("leave"));
  const stage = h("div", { class: "meet-stage" });
  if (video) {
    check = deviceCheck();
    check.onChosen(() => {
      if (state === "inMeeting" && !media) void startMedia(check!.choice()!);
    });
  }

  const render = () => {
    stateLine.dataset.state = state;
    stateLine.textContent = state === "notYetOpen" ? mt("state.notYetOpen", { time: formatTime(view.opensAt) })
      : state === "moved" ? mt("state.moved", { time: formatWindow(view.start, view.end), old: view.movedFrom ? formatTime(view.movedFrom, { dateStyle: "medium", timeStyle: "short" }) : "" })
      : mt(`state.${state}` as "state.waiting");
    const open = state === "inMeeting";
    chat.setEnabled(open, open ? undefined : mt("chat.afterAdmit"));
    const children: (Node | null)[] = [];
    if (state === "cancelled" && view.contactLine) children.push(h("p", { class: "meet-contact" }, mt("contact", { line: view.contactLine })));
    if (state === "ended" || state === "cancelled") {
      replace(stage, ...children);
      return;
    }
    if (video && check && !media) children.push(check.element);
    if (video && open && !media && !check?.choice()) joinChoice.hidden = false;
    if (video) children.push(joinChoice);
    if (area && media) children.push(area.element);
    children.push(locationPrompt, chat.element);
    replace(stage, ...children);
  };

  const setState = (next: RoomStateName) => {
    if (next === state) return;
    const wasIn = state === "inMeeting";
    state = next;
    if (next === "inMeeting" && !wasIn) {
      client.rewind(); // what the room showed only to people inside is visible now
      const choice = check?.choice();
      if (video && choice) void startMedia(choice);
    }
    if (next === "ended" || next === "cancelled") {
      void media?.leave();
      media = null;
      check?.stop();
      client.stop();
    }
    render();
  };

  const startMedia = async (choice: DeviceChoice) => {
    if (media || !area || state !== "inMeeting") return;
    check?.stop();
    joinChoice.hidden = true;
    try {
      ({ media, p2p } = await createMedia(client, me, mediaReady));
      render();
      await media.join(choice, { local: area.local, remotes: area.remotes });
    } catch {
      media = null;
      p2p = null;
      joinChoice.hidden = false;
      render();
    }
  };

  const mediaReady = new Map<string, boolean>();
  const handle = async (event: RoomEvent) => {
    if (await routeMediaEvent(event, mediaReady, p2p)) return;
    switch (event.type) {
      case "chat":
        chat.add(event.data as ChatMessage);
        break;
      case "locationRequested":
        askLocation(event.data.by as string);
        break;
    }
  };

  const askLocation = (by: string) => {
    if (state !== "inMeeting") return;
    const answer = (message: string) => replace(locationPrompt, h("p", {}, message));
    const share = h("button", { type: "button", class: "primary" }, mt("location.share"));
    const decline = h("button", { type: "button" }, mt("location.decline"));
    share.addEventListener("click", () => {
      share.disabled = decline.disabled = true;
      navigator.geolocation.getCurrentPosition(
        (position) => void client.call<void>("POST", "/api/meet/location", { latitude: position.coords.latitude, longitude: position.coords.longitude, accuracy: position.coords.accuracy })
          .then(() => answer(mt("location.shared")), () => answer(mt("chat.failed"))),
        () => void client.call<void>("POST", "/api/meet/location", { refused: true }).then(() => answer(mt("location.unavailable")), () => answer(mt("location.unavailable"))),
        { enableHighAccuracy: true, timeout: 20000 });
    });
    decline.addEventListener("click", () => void client.call<void>("POST", "/api/meet/location", { refused: true }).finally(() => answer(mt("location.declined"))));
    replace(locationPrompt, h("p", {}, mt("location.ask", { name: by })), h("div", { class: "actions" }, share, decline));
    locationPrompt.hidden = false;
    share.focus();
  };

  leave.addEventListener("click", () => {
    void media?.leave();
    client.stop();
    client.leaveBeacon();
    remember(null);
    card(h("h1", {}, view.businessName), h("p", {}, mt("left")));
  });
  addEventListener("pagehide", () => client.leaveBeacon());

  card(
    h("p", { class: "meet-business" }, view.businessName),
    h("h1", {}, view.caseName),
    h("p", { class: "meet-when" }, formatWindow(view.start, view.end)),
    stateLine, connection, stage,
    h("div", { class: "actions meet-leave" }, leave));
  render();
  client.start();
}

// Another meeting's link opened in this tab changes only the fragment: start over for that meeting.
addEventListener("hashchange", () => location.reload());
void start();
