import { pageLanguage } from "./texts";

/** RFC 9457 problem details; a 409 for a taken time carries the day's free slots. */
export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: Record<string, string[]>;
  slots?: string[];
}

/** The server answered with an error status. */
export class BookError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

/** No answer at all (offline, connection dropped): the same request may be sent again. */
export class OfflineError extends Error {}

export interface Day {
  date: string;
  slots: string[];
}

export interface Slots {
  length: number;
  timeZone: string;
  days: Day[];
}

export interface Question {
  key: string;
  label: string;
  type: "text" | "number" | "date" | "choice";
  choices: string[] | null;
  required: boolean;
}

export interface BookingPage {
  handle: string;
  operatorName: string;
  businessName: string;
  lengths: number[];
  timeZone: string;
  daysAhead: number;
  consentText: string | null;
  questions: Question[];
  defaultLanguage: string;
  languages: string[];
  embedOrigins: string[];
}

export interface Booked {
  id: string;
  start: string;
  end: string;
  timeZone: string;
  operatorName: string;
  businessName: string;
  manageUrl: string;
  icsUrl: string;
}

export interface Booking {
  status: "scheduled" | "cancelled";
  start: string;
  end: string;
  timeZone: string;
  operatorName: string;
  businessName: string;
  handle: string;
  length: number;
  movedBy: "booker" | "business" | null;
  previousStart: string | null;
  cancelledBy: "booker" | "business" | null;
  reason: string | null;
  canChange: boolean;
}

/** Public JSON calls: no cookies, the page language for the server's messages. */
export async function call<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: "omit",
      headers: {
        Accept: "application/json",
        "Accept-Language": pageLanguage(),
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new OfflineError();
  }
  let data: unknown;
  try {
    const text = await response.text();
    data = text ? JSON.parse(text) : undefined;
  } catch {
    data = undefined;
  }
  if (!response.ok) throw new BookError({ ...(typeof data === "object" && data ? data : {}), status: response.status });
  return data as T;
}

export function query(values: Record<string, string | number>): string {
  return Object.entries(values).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`).join("&");
}

/** One key per submission; a fallback where randomUUID is missing (old browsers, insecure origins). */
export function newKey(): string {
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
