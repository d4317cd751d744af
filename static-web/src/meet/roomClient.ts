/**
 * The room API as one small client, shared by the customer's meeting page and the operator's room in the dashboard:
 * the meeting session header, a long-poll loop for room events (chat, signalling, participants, state), chat sends
 * that survive retries (client message ids), and the page-hide beacon. Replacing polling by a push service later
 * changes only this file.
 */
export interface ParticipantView {
  id: string;
  name: string;
  role: "operator" | "customer" | "guest";
  admitted: boolean;
}

export type RoomStateName = "notYetOpen" | "moved" | "waiting" | "inMeeting" | "ended" | "cancelled";

export interface RoomView {
  state: RoomStateName;
  businessName: string;
  caseName: string;
  language: string;
  start: string;
  end: string;
  timeZone: string;
  opensAt: string;
  movedFrom: string | null;
  contactLine: string | null;
  mode: "videoAndChat" | "chatOnly";
  provider: "p2p" | "acs";
  you: ParticipantView;
  participants: ParticipantView[];
  locationSharing: boolean;
  maxParticipants: number;
  type: "individual" | "group";
  caseId: string | null;
  pinLocked: boolean | null;
}

export interface ChatMessage {
  id: string;
  seq: number;
  at: string;
  author: "customer" | "operator" | "system";
  authorName: string;
  participantId: string | null;
  text: string;
}

export interface RoomEvent {
  seq: number;
  type: string;
  from: string | null;
  at: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the event's own shape, read by type
}

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: Record<string, string[]>;
}

export class RoomError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

export class RoomNetworkError extends Error {}

/** A JSON call to the room API; the session (when there is one) in its header, never in a cookie. */
export async function roomCall<T>(method: string, path: string, session: string | null, body?: unknown, language?: string): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        ...(language ? { "Accept-Language": language } : {}),
        ...(session ? { "X-Meeting-Session": session } : {}),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new RoomNetworkError();
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) throw new RoomError({ status: response.status, ...((data as object) ?? {}) });
  return data as T;
}

export interface RoomHandlers {
  onEvent(event: RoomEvent): void;
  onState(state: RoomStateName): void;
  /** The session is no longer valid (401): the page starts over from the link. */
  onSessionEnded(): void;
  /** Connection trouble (true) or back (false), for a quiet notice on the page. */
  onConnection(trouble: boolean): void;
}

function newId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export class RoomClient {
  private cursor = 0;
  private stopped = false;
  private controller: AbortController | null = null;
  private readonly seen = new Set<number>();

  constructor(public readonly session: string, private readonly handlers: RoomHandlers, private readonly language?: string) {}

  call<T>(method: string, path: string, body?: unknown): Promise<T> {
    return roomCall<T>(method, path, this.session, body, this.language);
  }

  /** Polls until stop(); every answer also tells the server the page is still there (Online). */
  start(): void {
    void this.loop();
  }

  /** Reads the room's events again from the beginning (after being let in, what was hidden is now visible). */
  rewind(): void {
    this.cursor = 0;
    this.controller?.abort();
  }

  stop(): void {
    this.stopped = true;
    this.controller?.abort();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      this.controller = new AbortController();
      try {
        const response = await fetch(`/api/meet/events?after=${this.cursor}`, {
          headers: { Accept: "application/json", "X-Meeting-Session": this.session },
          signal: this.controller.signal,
          cache: "no-store",
        });
        if (response.status === 401) {
          this.stopped = true;
          this.handlers.onSessionEnded();
          return;
        }
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const body = (await response.json()) as { events: RoomEvent[]; cursor: number; state: RoomStateName };
        if (failures > 0) this.handlers.onConnection(false);
        failures = 0;
        for (const event of body.events) {
          if (this.seen.has(event.seq)) continue;
          this.seen.add(event.seq);
          this.handlers.onEvent(event);
        }
        this.cursor = Math.max(this.cursor, body.cursor);
        this.handlers.onState(body.state);
        if (body.state === "ended" || body.state === "cancelled") return;
      } catch (error) {
        if (this.stopped) return;
        if (error instanceof DOMException && error.name === "AbortError") continue; // rewound
        failures++;
        if (failures === 2) this.handlers.onConnection(true);
        await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 500 * failures)));
      }
    }
  }

  /** Sends a chat message; a retry after a network failure reuses its id, so it is never stored twice. */
  async sendChat(text: string): Promise<ChatMessage> {
    const clientId = newId();
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.call<ChatMessage>("POST", "/api/meet/chat", { clientId, text });
      } catch (error) {
        if (!(error instanceof RoomNetworkError) || attempt >= 4) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500 * (attempt + 1)));
      }
    }
  }

  signal(to: string, data: unknown): Promise<void> {
    return this.call<void>("POST", "/api/meet/signal", { to, data });
  }

  /** Tells the server the page is going away (also from pagehide, where only a beacon still leaves). */
  leaveBeacon(): void {
    // text/plain: the one body type every browser lets a beacon carry; the server reads it as JSON.
    const body = new Blob([JSON.stringify({ session: this.session })], { type: "text/plain;charset=UTF-8" });
    if (!navigator.sendBeacon?.("/api/meet/leave", body)) {
      void fetch("/api/meet/leave", { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" }, body: JSON.stringify({ session: this.session }) }).catch(() => undefined);
    }
  }
}
