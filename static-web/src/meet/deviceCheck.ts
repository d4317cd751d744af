import { h, replace } from "../dom";
import type { DeviceChoice } from "./media";
import { mt } from "./texts";

/**
 * Before joining with video: a preview of camera and microphone, pickers for both, a clear explanation when the
 * browser refuses them, and "join without video" always at hand. Asks for the devices only when the customer
 * presses the check button (so nobody is surprised by a permission prompt).
 */
export interface DeviceCheck {
  element: HTMLElement;
  /** The customer's choice so far: null until they checked their devices or chose to go without video. */
  choice(): DeviceChoice | null;
  /** Frees the camera (the meeting takes it over with the same choice). */
  stop(): void;
  onChosen(callback: (choice: DeviceChoice) => void): void;
}

export function deviceCheck(): DeviceCheck {
  let stream: MediaStream | null = null;
  let chosen: DeviceChoice | null = null;
  let callback: ((choice: DeviceChoice) => void) | null = null;
  const preview = h("video", { class: "device-preview", autoplay: true, playsinline: true, "aria-label": mt("device.camera"), hidden: true });
  preview.muted = true;
  const cameras = h("select", { id: "device-camera" });
  const microphones = h("select", { id: "device-microphone" });
  const pickers = h("div", { class: "device-pickers", hidden: true },
    h("label", { for: "device-camera" }, mt("device.camera")), cameras,
    h("label", { for: "device-microphone" }, mt("device.microphone")), microphones);
  const status = h("p", { class: "device-status", role: "status" });
  const check = h("button", { type: "button", class: "primary" }, mt("device.check"));
  const without = h("button", { type: "button" }, mt("device.withoutVideo"));

  const stop = () => {
    stream?.getTracks().forEach((t) => t.stop());
    stream = null;
  };

  const start = async () => {
    stop();
    status.className = "device-status";
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        video: cameras.value ? { deviceId: { exact: cameras.value } } : true,
        audio: microphones.value ? { deviceId: { exact: microphones.value } } : true,
      });
    } catch (error) {
      const name = error instanceof DOMException ? error.name : "";
      status.className = "device-status alert error";
      status.textContent = name === "NotAllowedError" || name === "SecurityError" ? mt("device.denied")
        : name === "NotFoundError" || name === "OverconstrainedError" ? mt("device.notFound")
        : mt("device.failed", { error: name || String(error) });
      preview.hidden = true;
      return;
    }
    preview.srcObject = stream;
    preview.hidden = false;
    void preview.play().catch(() => undefined);
    const devices = await navigator.mediaDevices.enumerateDevices();
    const fill = (select: HTMLSelectElement, kind: MediaDeviceKind, current: string | undefined) => {
      replace(select, devices.filter((d) => d.kind === kind).map((d, i) => h("option", { value: d.deviceId, selected: d.deviceId === current }, d.label || `${kind} ${i + 1}`)));
    };
    fill(cameras, "videoinput", stream.getVideoTracks()[0]?.getSettings().deviceId);
    fill(microphones, "audioinput", stream.getAudioTracks()[0]?.getSettings().deviceId);
    pickers.hidden = false;
    status.textContent = mt("device.ready");
    chosen = { cameraId: cameras.value || "", microphoneId: microphones.value || "" };
    callback?.(chosen);
  };

  check.addEventListener("click", () => void start());
  cameras.addEventListener("change", () => void start());
  microphones.addEventListener("change", () => void start());
  without.addEventListener("click", () => {
    stop();
    preview.hidden = true;
    status.className = "device-status";
    status.textContent = mt("device.without");
    chosen = { cameraId: null, microphoneId: microphones.value || null };
    callback?.(chosen);
  });

  const element = h("section", { class: "device-check", "aria-label": mt("device.title") },
    h("h2", {}, mt("device.title")), preview, pickers, status, h("div", { class: "actions" }, check, without));
  return {
    element,
    choice: () => chosen,
    stop,
    onChosen(cb) {
      callback = cb;
    },
  };
}
