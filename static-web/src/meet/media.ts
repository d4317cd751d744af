/**
 * The meeting page's audio/video, whatever carries it: peer-to-peer WebRTC (p2p.ts, signalled through Parley's room
 * API) or Azure Communication Services Rooms (acs.ts, loaded only when the server says the provider is "acs").
 * The room page talks only to this interface.
 */
export interface DeviceChoice {
  /** deviceId of the chosen camera, or null to join without video. */
  cameraId: string | null;
  /** deviceId of the chosen microphone, or null to join muted without a microphone. */
  microphoneId: string | null;
}

export interface MediaTarget {
  /** Where the participant's own picture is shown (muted). */
  local: HTMLVideoElement;
  /** The container the media module fills with one <video data-participant="{id}"> per remote participant. */
  remotes: HTMLElement;
}

export interface RoomMedia {
  /** Connects with the chosen devices; resolves once local media is running (remote media follows as peers connect). */
  join(devices: DeviceChoice, target: MediaTarget): Promise<void>;
  /** Hangs up and stops every local track. Safe to call twice. */
  leave(): Promise<void>;
}

/** What POST /api/meet/media answers when the provider is "acs". */
export interface AcsCredentials {
  provider: "acs";
  roomId: string;
  userId: string;
  token: string;
  expiresOn: string;
  refreshAfter: string;
}
