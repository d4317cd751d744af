/**
 * The chat page's calls to the visitors' API (docs/chat.md). Same origin as Parley (the page is Parley's, framed by
 * the website), so no CORS is involved; the visitor's token travels in X-Chat-Visitor, and the server's partitioned
 * cookie parley.chat goes along by itself (it restores the visitor when the frame may not use localStorage).
 */
export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: Record<string, string[]>;
}

/** The server answered with an error status. */
export class ChatError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** No answer at all (offline, dropped connection): the same request may be sent again. */
export class OfflineError extends Error {}

export type FieldMode = "optional" | "required";

export interface Session {
  token: string;
  businessName?: string;
  greeting?: string;
  color?: string;
  replyTime?: string;
  /** Asked with the first message: name, email, phone and custom field keys. */
  preChat?: Record<string, FieldMode>;
  /** Labels of custom fields, when the server gives them (else the key is shown). */
  preChatLabels?: Record<string, string>;
  verified?: boolean;
  online?: boolean;
  hasConversation?: boolean;
  /** The conversation has an e-mail address for answers (do not ask for one again). */
  hasEmail?: boolean;
}

export interface ChatMessage {
  seq: number;
  text: string;
  author: "visitor" | "operator";
  operatorName?: string | null;
  at: string;
  meetingUrl?: string | null;
}

export interface ChatEvents {
  messages: ChatMessage[];
  next: number;
  online?: boolean;
  operatorTyping?: boolean;
  operatorRead?: number;
  unread?: number;
  /** Pass back as &state= with the next poll. */
  state?: number;
}

let visitorToken = "";
export function useToken(token: string): void {
  visitorToken = token;
}

export async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      signal,
      credentials: "same-origin",
      cache: "no-store",
      headers: {
        Accept: "application/json",
        ...(visitorToken ? { "X-Chat-Visitor": visitorToken } : {}),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new OfflineError();
  }
  const text = response.status === 204 ? "" : await response.text().catch(() => "");
  let data: unknown;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) throw new ChatError({ status: response.status, ...((data as object | undefined) ?? {}) });
  return data as T;
}

export const chatPath = (key: string, rest: string) => `/api/chat/${encodeURIComponent(key)}/${rest}`;
