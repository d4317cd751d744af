/**
 * The adviser-dialog overlay: Parley's widget page in a frame over the page (frameOverlay.ts). Used by the embed
 * loader on customers' websites (widget.js) and by the dashboard's preview button.
 */
import { openFrameOverlay } from "../frameOverlay";

export interface OverlayOptions {
  origin: string;
  widgetKey: string;
  color: string;
  lang: string;
  title: string;
  /** Where focus goes back when the overlay closes. */
  opener?: HTMLElement | null;
}

export function openParleyDialog(options: OverlayOptions): () => void {
  const query = `color=${encodeURIComponent(options.color)}&lang=${encodeURIComponent(options.lang)}`;
  return openFrameOverlay({
    src: `${options.origin}/widget/${encodeURIComponent(options.widgetKey)}?${query}`,
    title: options.title,
    width: "420px",
    height: "640px",
    origin: options.origin,
    opener: options.opener,
  });
}
