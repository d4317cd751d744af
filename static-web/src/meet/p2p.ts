import type { DeviceChoice, MediaTarget, RoomMedia } from "./media";
import type { RoomClient } from "./roomClient";

/**
 * Peer-to-peer WebRTC as a full mesh: one RTCPeerConnection per other participant whose media is running. Offers,
 * answers and ICE candidates travel as room events ("signal", addressed to one participant). Of each pair, the one
 * with the smaller participant id makes the offer, so two pages never offer to each other at once; every offer
 * carries a connection id, and answers/candidates of an older connection are dropped.
 */
interface Peer {
  pc: RTCPeerConnection;
  conn: string;
  pending: RTCIceCandidateInit[];
  remoteSet: boolean;
}

export class P2pMedia implements RoomMedia {
  private readonly peers = new Map<string, Peer>();
  private readonly ready = new Set<string>();
  private local: MediaStream | null = null;
  private target: MediaTarget | null = null;
  private joined = false;

  constructor(private readonly client: RoomClient, private readonly me: string, private readonly iceServers: RTCIceServer[]) {}

  async join(devices: DeviceChoice, target: MediaTarget): Promise<void> {
    this.target = target;
    if (devices.cameraId !== null || devices.microphoneId !== null) {
      this.local = await navigator.mediaDevices.getUserMedia({
        video: devices.cameraId === null ? false : devices.cameraId ? { deviceId: { exact: devices.cameraId } } : true,
        audio: devices.microphoneId === null ? false : devices.microphoneId ? { deviceId: { exact: devices.microphoneId } } : true,
      });
      target.local.srcObject = this.local;
      target.local.muted = true;
      void target.local.play().catch(() => undefined);
    }
    this.joined = true;
    await this.client.call<void>("POST", "/api/meet/media-state", { ready: true });
    for (const peer of this.ready) if (this.me < peer) void this.offer(peer);
  }

  async leave(): Promise<void> {
    if (!this.joined) return;
    this.joined = false;
    for (const id of [...this.peers.keys()]) this.close(id);
    this.local?.getTracks().forEach((track) => track.stop());
    this.local = null;
    await this.client.call<void>("POST", "/api/meet/media-state", { ready: false }).catch(() => undefined);
  }

  /** A participant's media started (ready) or stopped. */
  peerMedia(id: string, isReady: boolean): void {
    if (id === this.me) return;
    if (!isReady) {
      this.ready.delete(id);
      this.close(id);
      return;
    }
    this.ready.add(id);
    if (!this.joined) return;
    if (this.me < id) void this.offer(id);
    else this.close(id); // they restarted: their offer follows
  }

  peerLeft(id: string): void {
    this.ready.delete(id);
    this.close(id);
  }

  /** A signal addressed to this participant. */
  async signal(from: string, data: { kind: string; conn: string; sdp?: string; candidate?: RTCIceCandidateInit }): Promise<void> {
    if (!this.joined) return;
    if (data.kind === "offer") {
      const peer = this.create(from, data.conn, false);
      await peer.pc.setRemoteDescription({ type: "offer", sdp: data.sdp });
      peer.remoteSet = true;
      await this.flush(peer);
      const answer = await peer.pc.createAnswer();
      await peer.pc.setLocalDescription(answer);
      await this.client.signal(from, { kind: "answer", conn: data.conn, sdp: answer.sdp });
      return;
    }
    const peer = this.peers.get(from);
    if (!peer || peer.conn !== data.conn) return; // an older connection's
    if (data.kind === "answer" && !peer.remoteSet) {
      await peer.pc.setRemoteDescription({ type: "answer", sdp: data.sdp });
      peer.remoteSet = true;
      await this.flush(peer);
    } else if (data.kind === "candidate" && data.candidate) {
      if (peer.remoteSet) await peer.pc.addIceCandidate(data.candidate).catch(() => undefined);
      else peer.pending.push(data.candidate);
    }
  }

  private async offer(id: string): Promise<void> {
    const conn = crypto.randomUUID();
    const peer = this.create(id, conn, true);
    const offer = await peer.pc.createOffer();
    await peer.pc.setLocalDescription(offer);
    await this.client.signal(id, { kind: "offer", conn, sdp: offer.sdp });
  }

  private create(id: string, conn: string, offerer: boolean): Peer {
    this.close(id);
    const pc = new RTCPeerConnection({ iceServers: this.iceServers });
    const peer: Peer = { pc, conn, pending: [], remoteSet: false };
    this.peers.set(id, peer);
    if (this.local) {
      for (const track of this.local.getTracks()) pc.addTrack(track, this.local);
    }
    // The offer decides the media sections: ask to receive both kinds even when sending nothing of a kind (joined
    // without camera or microphone). The answerer's tracks pair up with the offer's sections.
    if (offerer && !this.local?.getVideoTracks().length) pc.addTransceiver("video", { direction: "recvonly" });
    if (offerer && !this.local?.getAudioTracks().length) pc.addTransceiver("audio", { direction: "recvonly" });
    pc.onicecandidate = (event) => {
      if (event.candidate) void this.client.signal(id, { kind: "candidate", conn, candidate: event.candidate.toJSON() }).catch(() => undefined);
    };
    pc.ontrack = (event) => {
      const video = this.remoteVideo(id);
      const stream = event.streams[0] ?? new MediaStream([event.track]);
      if (video.srcObject !== stream) {
        if (video.srcObject instanceof MediaStream && !event.streams[0]) video.srcObject.addTrack(event.track);
        else video.srcObject = stream;
      }
      void video.play().catch(() => undefined);
    };
    return peer;
  }

  private async flush(peer: Peer): Promise<void> {
    for (const candidate of peer.pending.splice(0)) await peer.pc.addIceCandidate(candidate).catch(() => undefined);
  }

  private remoteVideo(id: string): HTMLVideoElement {
    const container = this.target!.remotes;
    let video = container.querySelector<HTMLVideoElement>(`video[data-participant="${CSS.escape(id)}"]`);
    if (!video) {
      video = document.createElement("video");
      video.autoplay = true;
      video.playsInline = true;
      video.dataset.participant = id;
      video.className = "remote-video";
      container.append(video);
    }
    return video;
  }

  private close(id: string): void {
    const peer = this.peers.get(id);
    if (peer) {
      peer.pc.close();
      this.peers.delete(id);
    }
    this.target?.remotes.querySelector(`video[data-participant="${CSS.escape(id)}"]`)?.remove();
  }
}
