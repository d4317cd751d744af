/**
 * The booking popup on a host website: the booking page in a frame over the page (frameOverlay.ts), with a close
 * button that takes focus and keeps it inside the dialog.
 */
import { openFrameOverlay } from "../frameOverlay";

export interface PopupOptions {
  src: string;
  /** Parley's origin: the frame's close request must come from there. */
  origin: string;
  title: string;
  closeLabel: string;
  opener?: HTMLElement | null;
  /** Called with the frame once it is in the page (so the embed can route its messages). */
  onFrame?: (frame: HTMLIFrameElement) => void;
  onClose?: (frame: HTMLIFrameElement) => void;
}

export function openBookingPopup(options: PopupOptions): () => void {
  return openFrameOverlay({
    ...options,
    width: "760px",
    height: "720px",
    marks: { backdrop: "data-parley-booking-overlay", frame: ["data-parley-booking-frame", "popup"], close: "data-parley-booking-close" },
  });
}
