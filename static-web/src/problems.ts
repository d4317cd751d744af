import { ApiError, NetworkError } from "./api";
import { t } from "./i18n";

/** One sentence for a failed request: the server's field messages, else its detail, else a generic one. */
export function problemText(error: unknown): string {
  if (error instanceof ApiError) return Object.values(error.problem.errors ?? {}).flat().join(" ") || error.problem.detail || t("errors.unexpected");
  return error instanceof NetworkError ? t("errors.network") : t("errors.unexpected");
}
