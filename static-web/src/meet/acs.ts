/**
 * Meeting audio/video on Azure Communication Services Rooms, with the ACS Calling Web SDK. Built on its own into
 * dist/meet-acs.js (the SDK is several MB) and loaded by the meeting page with a dynamic import only when the server
 * says the provider is "acs"; the dashboard and the page's main bundle never contain it.
 *
 * The server hands out a voip.join token for one ACS identity that it added to the meeting's room (Presenter for the
 * operator, Attendee otherwise) after the PIN check; `refresh` asks it for a fresh token of the same identity.
 */
import {
  CallClient,
  LocalVideoStream,
  VideoStreamRenderer,
  type Call,
  type CallAgent,
  type DeviceManager,
  type RemoteParticipant,
  type RemoteVideoStream,
} from "@azure/communication-calling";
import { AzureCommunicationTokenCredential, getIdentifierRawId } from "@azure/communication-common";
import type { AcsCredentials, DeviceChoice, MediaTarget, RoomMedia } from "./media";

/** Connects to ACS with the participant's credentials; the returned media joins the room on `join`. */
export async function createAcsMedia(credentials: AcsCredentials, refresh: () => Promise<AcsCredentials>): Promise<RoomMedia> {
  const credential = new AzureCommunicationTokenCredential({
    token: credentials.token,
    // The SDK calls this shortly before the token expires (and when the service refuses it): same identity, new token.
    tokenRefresher: async () => {
      const fresh = await refresh();
      return { token: fresh.token, expiresOnTimestamp: Date.parse(fresh.expiresOn) };
    },
    refreshProactively: true,
  });
  const client = new CallClient();
  try {
    const agent = await client.createCallAgent(credential);
    return new AcsRoomMedia(client, agent, credential, credentials.roomId);
  } catch (error) {
    credential.dispose();
    await client.dispose().catch(() => undefined);
    throw error;
  }
}

/** One remote participant's tile: a container with data-participant, holding a rendered view per available video stream. */
interface Tile {
  element: HTMLElement;
  renderers: Map<number, VideoStreamRenderer>;
  unsubscribe: () => void;
}

class AcsRoomMedia implements RoomMedia {
  private call: Call | null = null;
  private localVideo: LocalVideoStream | null = null;
  private localStream: MediaStream | null = null;
  private target: MediaTarget | null = null;
  private readonly tiles = new Map<string, Tile>();
  private left = false;

  constructor(
    private readonly client: CallClient,
    private readonly agent: CallAgent,
    private readonly credential: AzureCommunicationTokenCredential,
    private readonly roomId: string,
  ) {}

  async join(devices: DeviceChoice, target: MediaTarget): Promise<void> {
    if (this.call) throw new Error("Already joined.");
    this.target = target;
    const deviceManager = await this.client.getDeviceManager();
    await deviceManager.askDevicePermission({ audio: devices.microphoneId !== null, video: devices.cameraId !== null });
    const camera = devices.cameraId === null ? undefined : pick(await deviceManager.getCameras(), devices.cameraId);
    if (camera) {
      this.localVideo = new LocalVideoStream(camera);
      this.localStream = await this.localVideo.getMediaStream();
      target.local.muted = true;
      target.local.srcObject = this.localStream;
      await target.local.play().catch(() => undefined); // autoplay of a muted video is allowed; a refusal only delays the preview
    }
    await this.selectMicrophone(deviceManager, devices.microphoneId);

    const call = this.agent.join(
      { roomId: this.roomId },
      {
        videoOptions: this.localVideo ? { localVideoStreams: [this.localVideo] } : undefined,
        audioOptions: { muted: devices.microphoneId === null },
      },
    );
    this.call = call;
    call.on("remoteParticipantsUpdated", ({ added, removed }) => {
      added.forEach((p) => this.show(p));
      removed.forEach((p) => this.hide(p));
    });
    call.remoteParticipants.forEach((p) => this.show(p));
    await connected(call);
  }

  async leave(): Promise<void> {
    if (this.left) return;
    this.left = true;
    const call = this.call;
    this.call = null;
    if (call && call.state !== "Disconnected") {
      await call.hangUp().catch(() => undefined);
    }
    for (const id of [...this.tiles.keys()]) this.remove(id);
    this.localStream?.getTracks().forEach((t) => t.stop());
    this.localStream = null;
    this.localVideo = null;
    if (this.target) this.target.local.srcObject = null;
    await this.agent.dispose().catch(() => undefined);
    await this.client.dispose().catch(() => undefined);
    this.credential.dispose();
  }

  private async selectMicrophone(deviceManager: DeviceManager, microphoneId: string | null): Promise<void> {
    if (microphoneId === null) return;
    const microphone = pick(await deviceManager.getMicrophones(), microphoneId);
    if (microphone) await deviceManager.selectMicrophone(microphone);
  }

  private show(participant: RemoteParticipant): void {
    const id = getIdentifierRawId(participant.identifier);
    if (this.tiles.has(id) || !this.target) return;
    const element = document.createElement("div");
    element.className = "remote-participant";
    element.dataset.participant = id;
    this.target.remotes.append(element);
    const tile: Tile = { element, renderers: new Map(), unsubscribe: () => undefined };
    this.tiles.set(id, tile);

    const watched = new Map<number, () => void>();
    const watch = (stream: RemoteVideoStream): void => {
      const changed = (): void => void this.render(tile, stream);
      stream.on("isAvailableChanged", changed);
      watched.set(stream.id, () => stream.off("isAvailableChanged", changed));
      changed();
    };
    const unwatch = (stream: RemoteVideoStream): void => {
      watched.get(stream.id)?.();
      watched.delete(stream.id);
      this.stopRendering(tile, stream.id);
    };
    const updated = ({ added, removed }: { added: RemoteVideoStream[]; removed: RemoteVideoStream[] }): void => {
      added.forEach(watch);
      removed.forEach(unwatch);
    };
    participant.on("videoStreamsUpdated", updated);
    participant.videoStreams.forEach(watch);
    tile.unsubscribe = () => {
      participant.off("videoStreamsUpdated", updated);
      watched.forEach((off) => off());
      watched.clear();
    };
  }

  private hide(participant: RemoteParticipant): void {
    this.remove(getIdentifierRawId(participant.identifier));
  }

  private remove(id: string): void {
    const tile = this.tiles.get(id);
    if (!tile) return;
    tile.unsubscribe();
    for (const streamId of [...tile.renderers.keys()]) this.stopRendering(tile, streamId);
    tile.element.remove();
    this.tiles.delete(id);
  }

  /** Shows the stream while it is available (camera on, screen shared) and removes its view when it stops. */
  private async render(tile: Tile, stream: RemoteVideoStream): Promise<void> {
    if (!stream.isAvailable) {
      this.stopRendering(tile, stream.id);
      return;
    }
    if (tile.renderers.has(stream.id)) return;
    const renderer = new VideoStreamRenderer(stream);
    tile.renderers.set(stream.id, renderer);
    try {
      const view = await renderer.createView({ scalingMode: stream.mediaStreamType === "ScreenSharing" ? "Fit" : "Crop" });
      if (tile.renderers.get(stream.id) !== renderer) {
        view.dispose(); // the stream stopped or the participant left while the view was being made
        return;
      }
      view.target.dataset.stream = stream.mediaStreamType;
      tile.element.append(view.target);
    } catch {
      this.stopRendering(tile, stream.id); // the next isAvailableChanged tries again
    }
  }

  private stopRendering(tile: Tile, streamId: number): void {
    tile.renderers.get(streamId)?.dispose();
    tile.renderers.delete(streamId);
  }
}

/**
 * The SDK's device whose id is the browser's deviceId the page chose (the SDK prefixes ids, e.g. "camera:{deviceId}"),
 * or else the SDK's first device of that kind, so a device whose id changed still joins with something.
 */
function pick<T extends { id: string }>(devices: T[], deviceId: string): T | undefined {
  return devices.find((d) => d.id === deviceId || d.id.endsWith(`:${deviceId}`)) ?? devices[0];
}

/** Resolves when the call is connected; rejects when it ends before (room not open yet, identity not in the room, …). */
function connected(call: Call): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      if (call.state === "Connected") {
        call.off("stateChanged", check);
        resolve();
      } else if (call.state === "Disconnected") {
        call.off("stateChanged", check);
        const reason = call.callEndReason;
        reject(new Error(`The video room refused the connection${reason ? ` (${reason.code}/${reason.subCode ?? 0})` : ""}.`));
      }
    };
    call.on("stateChanged", check);
    check();
  });
}
