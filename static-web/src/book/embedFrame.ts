/**
 * The booking page inside a website's frame (?embed=1&origin=…#prefill=…, opened by book-embed.js): what the host
 * page prefilled, the frame's height for inline embeds, and the "booked" message. Messages go to the host page's
 * origin only, and only when the account lists it in embedOrigins — never to "*".
 */
export interface Prefill {
  name?: string;
  email?: string;
  language?: string;
  metadata?: Record<string, string>;
}

export interface EmbedInfo {
  embed: boolean;
  origin: string | null;
  prefill: Prefill;
}

export function readEmbed(): EmbedInfo {
  const params = new URLSearchParams(location.search);
  const embed = params.get("embed") === "1";
  const origin = params.get("origin");
  const fragment = new URLSearchParams(location.hash.slice(1));
  return { embed, origin: embed && origin ? origin : null, prefill: decodePrefill(fragment.get("prefill")) };
}

function text(value: unknown, max: number): string | undefined {
  return typeof value === "string" && value.trim() ? value.trim().slice(0, max) : undefined;
}

/** base64url(UTF-8 JSON) → the known members, each checked; anything else is dropped. */
export function decodePrefill(encoded: string | null): Prefill {
  if (!encoded) return {};
  try {
    const binary = atob(encoded.replace(/-/g, "+").replace(/_/g, "/"));
    const data = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
    const prefill: Prefill = { name: text(data.name, 200), email: text(data.email, 254), language: text(data.language, 10) };
    if (data.metadata && typeof data.metadata === "object" && !Array.isArray(data.metadata)) {
      const metadata: Record<string, string> = {};
      for (const [key, value] of Object.entries(data.metadata as Record<string, unknown>)) {
        if (typeof value === "string" || typeof value === "number" || typeof value === "boolean") metadata[key] = String(value);
      }
      if (Object.keys(metadata).length > 0) prefill.metadata = metadata;
    }
    return prefill;
  } catch {
    return {};
  }
}

export interface HostLink {
  booked(booking: { id: string; start: string; end: string }): void;
}

/** Talks to the host page when it may be talked to: its origin is one the account allows. */
export function connectHost(info: EmbedInfo, allowed: string[], content: HTMLElement): HostLink {
  const target = info.embed && info.origin && window.parent !== window && allowed.includes(info.origin) ? info.origin : null;
  const post = (message: unknown) => {
    if (target) window.parent.postMessage(message, target);
  };
  if (target) {
    let last = 0;
    const report = () => {
      // The content's own height (not the document's, which never shrinks below the frame's current height).
      const height = Math.ceil(content.getBoundingClientRect().height);
      if (height !== last) post({ type: "parley:height", height: (last = height) });
    };
    if (typeof ResizeObserver === "function") new ResizeObserver(report).observe(content);
    report();
  }
  // Escape inside the frame never reaches the host page: the popup is asked to close (an inline frame ignores it).
  if (target) addEventListener("keydown", (event) => {
    if (event.key === "Escape") post({ type: "parley:close" });
  });
  return { booked: (booking) => post({ type: "parley:booked", booking }) };
}
