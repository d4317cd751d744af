import { language } from "./i18n";

/** RFC 9457 problem details as the API sends them, with field errors for validation problems. */
export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  errors?: Record<string, string[]>;
}

export class ApiError extends Error {
  constructor(public readonly problem: Problem) {
    super(problem.detail ?? problem.title ?? `HTTP ${problem.status}`);
  }
}

export class NetworkError extends Error {}

/** Same-origin JSON calls; the custom header is the dashboard's proof against cross-site request forgery. */
/** `keepalive`: the request outlives the page (saving what was typed while the page is being left). */
/** `signal`: aborts the request (a long poll when its page is left); an aborted request rejects with a {@link NetworkError}. */
export async function api<T>(method: string, path: string, body?: unknown, options: { keepalive?: boolean; signal?: AbortSignal } = {}): Promise<T> {
  let response: Response;
  let text: string;
  try {
    response = await fetch(path, {
      method,
      keepalive: options.keepalive,
      signal: options.signal,
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Accept-Language": language(),
        "X-Parley-Client": "dashboard",
        ...(body === undefined ? {} : { "Content-Type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 204) return undefined as T;
    text = await response.text();
  } catch {
    throw new NetworkError();
  }
  const data = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    throw new ApiError({ status: response.status, ...(data ?? {}) });
  }
  return data as T;
}

export interface Operator {
  id: string;
  name: string;
  email: string;
  role: "operator" | "administrator";
  timeZone: string;
  lineId: string | null;
  active: boolean;
  language: string;
  hasPassword: boolean;
  createdAt: string;
}

export interface Account {
  id: string;
  businessName: string;
  timeZone: string;
  defaultLanguage: string;
  separateOperators: boolean;
  meetingMode: "videoAndChat" | "chatOnly";
  pinPolicy: "off" | "defaultOn" | "mandatory";
  senderEmail: string | null;
  senderName: string | null;
  reminderOffsetMinutes: number[];
  meetingOpensMinutesBefore: number;
  locationSharing: boolean;
  contactLine: string | null;
  /** Shown above the booking form's consent checkbox (null: no consent checkbox). */
  bookingConsentText?: string | null;
  /** Websites (origins) allowed to embed the booking pages. */
  embedOrigins?: string[];
  /** Abuse guard: messages public pages (booking page) may cause per day, and the calling codes their SMS may go to. */
  publicMessagesPerDay: number;
  smsCountryCodes: number[];
}

export interface Me {
  operator: Operator | null;
  account: Account;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** Settings › Integrations (docs/integrations.md): a type an endpoint may subscribe to. */
export interface WebhookEventType {
  type: string;
  description: string;
}

/** A webhook endpoint or a REST hook (`kind`); its secret is never in it, only once in {@link WebhookSecret}. */
export interface WebhookEndpoint {
  id: string;
  kind: "endpoint" | "hook";
  url: string;
  description: string;
  eventTypes: string[];
  enabled: boolean;
  /** Why the server disabled it: the receiver answered 410 Gone, or every delivery failed for 5 days. */
  disabledReason: "gone" | "failing" | null;
  failingSince: string | null;
  /** During a rotation: until when the previous secret signs too. */
  previousSecretValidUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

/** A new endpoint or a rotated secret: the signing secret, shown this once. */
export interface WebhookSecret {
  endpoint: WebhookEndpoint;
  secret: string;
}

export interface WebhookAttempt {
  at: string;
  status: number | null;
  latencyMs: number;
  /** The start of the receiver's answer: plain text, shown as text. */
  response: string | null;
  error: string | null;
}

export interface WebhookDelivery {
  messageId: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  state: "pending" | "delivered" | "failed" | "stopped";
  attempts: WebhookAttempt[];
  createdAt: string;
  nextAttemptAt: string | null;
}

export interface WebhookDeliveryPage {
  items: WebhookDelivery[];
  nextCursor: string | null;
}

export interface CaseSummary {
  id: string;
  number: number;
  name: string;
  origin: string;
  status: "active" | "completed";
  customerStatus: "online" | "away";
  email: string | null;
  internalReference: string | null;
  assignedOperatorIds: string[];
  nextAppointmentAt: string | null;
  updatedAt: string;
  /** A customer is waiting to be let into this appointment's meeting right now. */
  waitingAppointmentId?: string | null;
  /** Website chat: the visitor wrote last and no operator has answered yet. */
  awaitingReply?: boolean;
  /** Website chat: visitor messages since an operator last read or answered. */
  unreadMessages?: number;
}

export interface CasePage {
  items: CaseSummary[];
  nextCursor: string | null;
}

export interface CaseDetail extends CaseSummary {
  phone: string | null;
  /** The same number grouped for reading (+49 9999 999). */
  phoneDisplay?: string | null;
  /** Set when the customer's contact data is hidden (a case from an adviser dialog): where from, and which channels exist. */
  contactHidden: { fromDialogCustomer: string; channels: ("email" | "sms" | "call")[] } | null;
  notes: string | null;
  customFields: Record<string, string>;
  language: string;
  location: string | null;
  /** Where the customer said they are (shared in a meeting, when the account allows location requests). */
  sharedLocation?: { latitude: number; longitude: number; accuracyMeters: number | null; at: string; mapUrl: string } | null;
  /** Where a website chat started: pageUrl, referrer, timeZone, utm_source, … (plain text the visitor's browser sent). */
  metadata?: Record<string, string> | null;
  createdAt: string;
}

export interface CustomField {
  key: string;
  label: string;
  type: "text" | "number" | "date" | "choice";
  choices: string[];
  required: boolean;
  /** Asked on the booking page (docs/booking.md). */
  askWhenBooking?: boolean;
}

export interface Appointment {
  id: string;
  caseId: string;
  type: "individual" | "group";
  start: string;
  end: string;
  timeZone: string;
  operatorIds: string[];
  invitation: { sms: boolean; email: boolean; language: string };
  pinProtected: boolean;
  pin: string | null;
  joinUrl: string;
  status: "scheduled" | "cancelled";
  /** `by`: an operator id, "api:<key id>", "system", or "booker" (the customer through their own booking link). */
  history: { at: string; action: string; by?: string; reason: string | null }[];
}

export interface CalendarEntry {
  id: string;
  caseId: string;
  caseName: string;
  caseNumber: number;
  type: string;
  start: string;
  end: string;
  operatorIds: string[];
}

/** Adviser dialogs (docs/dialogs.md). */
export interface DialogRow {
  id: string;
  operatorId: string;
  adviserName: string;
  lineId: string | null;
  createdAt: string;
  customerId: string;
  keyword: string;
  availableUntil: string | null;
  availableUntilPast: boolean;
  wishedAt: string | null;
  timeZone: string;
  firstMessage: string;
  lastMessage: string;
  lastFrom: "customer" | "adviser";
  lastMessageColor: "red" | "black" | "green";
  needsAnswer: boolean;
  closed: boolean;
  alertCall: { status: string; reason: string | null } | null;
}

export interface DialogPage {
  items: DialogRow[];
  next: string | null;
}

export interface DialogMessage {
  seq: number;
  from: "customer" | "adviser";
  text: string;
  at: string;
  adviserName: string | null;
}

export interface DialogDetail extends DialogRow {
  messages: DialogMessage[];
  customerHasCallNumber: boolean;
  customerHasSmsNumber: boolean;
  customerLanguage: string;
}

export interface DialogAlerts {
  email: string | null;
  emailOn: boolean;
  voicePhone: string | null;
  voiceOn: boolean;
  smsPhone: string | null;
  voicePhoneDisplay?: string | null;
  smsPhoneDisplay?: string | null;
  smsOn: boolean;
  widgetKey: string;
  widgetText: string;
  widgetColor: string;
}

export interface SecretWord {
  id: string;
  word: string;
  active: boolean;
  createdAt: string;
  retiredAt: string | null;
}

export interface DialogSettings {
  maxMessageLength: number;
  callerId: string | null;
  callerIdDisplay?: string | null;
  widgetText: string;
  widgetColor: string;
  smsToCustomers: boolean;
  secretWords: SecretWord[];
}

export interface AdviserWidget {
  operatorId: string;
  name: string;
  lineId: string | null;
  active: boolean;
  widgetKey: string;
}

export interface DialogThread {
  businessName: string;
  adviserName: string;
  customerId: string;
  language: string;
  closed: boolean;
  maxMessageLength: number;
  messages: { from: "customer" | "adviser"; text: string; at: string }[];
}

/** Booking pages (docs/booking.md): an operator's working hours and booking rules. */
export const weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof weekdays)[number];

export interface WorkingInterval {
  start: string;
  end: string;
}

export interface Availability {
  enabled: boolean;
  handle: string | null;
  timeZone: string;
  weekly: Record<Weekday, WorkingInterval[]>;
  overrides: { date: string; intervals: WorkingInterval[] }[];
  lengths: number[];
  increment: number;
  bufferBefore: number;
  bufferAfter: number;
  minimumNotice: number;
  daysAhead: number;
  maxPerDay: number | null;
  bookingUrl: string | null;
}

/** New bookings, cancellations and moves by bookers since the operator last looked. */
export interface UnseenBookings {
  count: number;
  items: { caseId: string; caseName: string; appointmentId: string; start: string; at: string }[];
}

/** Website chat (docs/chat.md): the account's settings, administrators only. */
export type ChatFieldMode = "off" | "optional" | "required";

export interface ChatSettings {
  enabled: boolean;
  greeting: string;
  color: string;
  replyTime: string;
  /** name, email, phone and custom field keys → mode; a field left out is off. */
  preChat: Record<string, ChatFieldMode>;
  identityVerification: ChatFieldMode;
  secret: string;
  /** The public chat key (the account id). */
  chatKey: string;
}

/** One message of a case's conversation (meeting chat, website chat, booking). */
export interface ConversationMessage {
  id: string;
  seq: number;
  at: string;
  author: "customer" | "operator" | "system";
  authorName: string;
  text: string;
  source: string;
  appointmentId?: string | null;
}

/** The operator's long poll over one website-chat case. */
export interface ConversationEvents {
  messages: ConversationMessage[];
  next: number;
  state?: number;
  visitorTyping: boolean;
  visitorRead: number;
  visitorOnline: boolean;
}

/** The account's website chats with unread visitor messages (the navigation's chat badge). */
export interface ChatInbox {
  cases: { caseId: string; number: number; name: string; unreadMessages: number; lastMessageAt: string }[];
  total: number;
  next: number;
}
