import type { AcsCredentials, RoomMedia } from "./media";
import { P2pMedia } from "./p2p";
import type { RoomClient } from "./roomClient";

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
