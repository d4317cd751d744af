import type { AcsCredentials, RoomMedia } from "./media";
import { P2pMedia } from "./p2p";
import type { RoomClient, RoomEvent } from "./roomClient";

/**
 * Asks the room for media credentials and builds the matching module: p2p (with the participants whose media is
 * already running, so it can connect to them) or ACS (the Calling SDK bundle, loaded only now).
 */
export async function createMedia(client: RoomClient, me: string, ready: Map<string, boolean>): Promise<{ media: RoomMedia; p2p: P2pMedia | null }> {
  const credentials = await client.call<{ provider: string; iceServers?: RTCIceServer[] } & Partial<AcsCredentials>>("POST", "/api/meet/media");
  if (credentials.provider === "acs") {
    const module = (await import(/* @vite-ignore */ "/meet-acs.js" as string)) as { createAcsMedia: (c: AcsCredentials, r: () => Promise<AcsCredentials>) => Promise<RoomMedia> };
    return { media: await module.createAcsMedia(credentials as AcsCredentials, () => client.call<AcsCredentials>("POST", "/api/meet/media/refresh")), p2p: null };
  }
  const p2p = new P2pMedia(client, me, credentials.iceServers ?? []);
  for (const [id, isReady] of ready) p2p.peerMedia(id, isReady);
  return { media: p2p, p2p };
}

/**
 * The room's media events, the same on both pages: who has media running (kept for a module started later), who
 * left, and signalling addressed to this page. Returns false for events that are not about media.
 */
export async function routeMediaEvent(event: RoomEvent, ready: Map<string, boolean>, p2p: P2pMedia | null): Promise<boolean> {
  switch (event.type) {
    case "media":
      ready.set(event.data.participantId, event.data.ready);
      p2p?.peerMedia(event.data.participantId, event.data.ready);
      return true;
    case "left":
      ready.delete(event.data.participantId);
      p2p?.peerLeft(event.data.participantId);
      return true;
    case "signal":
      await p2p?.signal(event.from!, event.data).catch(() => undefined);
      return true;
    default:
      return false;
  }
}
