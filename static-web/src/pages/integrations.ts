import { api, type WebhookDelivery, type WebhookDeliveryPage, type WebhookEndpoint, type WebhookEventType, type WebhookSecret } from "../api";
import { confirmDialog } from "../confirmDialog";
import { h, replace, uid } from "../dom";
import { errorSlot, form, markControl, secretBox } from "../forms";
import { formatDate, t, type TextKey } from "../i18n";
import type { Context } from "../main";
import { problemText } from "../problems";
import { settingsTabs } from "./shell";

/** How often and how long the delivery log asks again after a test event, a resend or a refresh (pending deliveries). */
const pollEvery = 2_000;
const pollFor = 30_000;

const finished = (d: WebhookDelivery) => d.state !== "pending";

/** A `datetime-local` value (the browser's zone) for a moment. */
function localInput(date: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${p(date.getMonth() + 1)}-${p(date.getDate())}T${p(date.getHours())}:${p(date.getMinutes())}`;
}

/**
 * Settings › Integrations (administrators, issue 17): webhook endpoints and REST hooks with their signing secrets (shown
 * once, on creation and rotation), test events, and each endpoint's delivery log with resend and recover. Everything the
 * server sends back (descriptions, receivers' answers) is data and is set as text only (dom.ts `h`).
 */
export async function integrationsPage(ctx: Context): Promise<Node> {
  const eventTypes = await api<WebhookEventType[]>("GET", "/api/webhooks/event-types");
  // Leaving the page stops the log's polling (the router announces it with parley:leave).
  const leaving = new AbortController();
  document.addEventListener("parley:leave", () => leaving.abort(), { signal: leaving.signal });

  const status = h("div", { "aria-live": "polite", class: "webhook-status" });
  const say = (kind: "success" | "error", text: string) => {
    status.className = `webhook-status alert ${kind}`;
    status.textContent = text;
  };
  const secretArea = h("div", { "aria-live": "polite" });
  const showSecret = (created: WebhookSecret, note: string | null) => replace(secretArea, h("div", { class: "card webhook-secret" },
    h("h2", {}, t("integrations.secretTitle", { url: created.endpoint.url })),
    h("div", { class: "alert info" }, t("integrations.secretWarning")),
    note ? h("p", {}, note) : null,
    secretBox(created.secret, t("integrations.secretTitle", { url: created.endpoint.url }))));

  const list = h("div", { class: "table-wrap" });
  let endpoints: WebhookEndpoint[] = [];
  const refresh = async () => {
    endpoints = await api<WebhookEndpoint[]>("GET", "/api/webhooks/endpoints");
    if (endpoints.length === 0) {
      replace(list, h("p", { class: "empty" }, t("integrations.empty")));
      return;
    }
    replace(list, h("table", { class: "webhooks-table" },
      h("thead", {}, h("tr", {}, [t("integrations.url"), t("integrations.events"), t("integrations.status"), t("integrations.actions")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, endpoints.map(endpointRow))));
  };

  /** Runs a row's action; its failure is said in the status line. */
  const act = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      say("error", problemText(error));
    }
  };

  const endpointRow = (e: WebhookEndpoint) => {
    const urlId = uid("webhook-url");
    const describe = (action: string) => ({ "aria-describedby": urlId, "data-action": action });
    const statusCell = e.enabled
      ? [h("span", { class: "badge online" }, t("integrations.enabled"))]
      : [h("span", { class: "badge off" }, t("integrations.disabled")),
        e.disabledReason ? h("div", { class: "small" }, t(`integrations.reason.${e.disabledReason}` as TextKey)) : null];
    if (e.failingSince) statusCell.push(h("div", { class: "small muted" }, t("integrations.failingSince", { time: formatDate(e.failingSince) })));
    if (e.previousSecretValidUntil) statusCell.push(h("div", { class: "small muted" }, t("integrations.previousUntil", { time: formatDate(e.previousSecretValidUntil) })));
    return h("tr", { "data-endpoint": e.id, class: e.enabled ? undefined : "inactive" },
      h("td", { class: "url" },
        h("code", { id: urlId }, e.url),
        e.kind === "hook" ? h("span", { class: "badge" }, t("integrations.hook")) : null,
        e.description ? h("div", { class: "small muted" }, e.description) : null),
      h("td", {}, e.eventTypes.map((type) => h("span", { class: "badge" }, type))),
      h("td", {}, statusCell),
      h("td", {}, h("div", { class: "actions" },
        h("button", { type: "button", class: "secondary", ...describe("test"), onclick: () => act(async () => {
          const sent = await api<{ messageId: string }>("POST", `/api/webhooks/endpoints/${e.id}/test`);
          say("success", t("integrations.testSent", { url: e.url }));
          await log.open(e, (items) => items.some((d) => d.messageId === sent.messageId && finished(d)));
        }) }, t("integrations.sendTest")),
        h("button", { type: "button", class: "secondary", ...describe("deliveries"), onclick: () => act(() => log.open(e, undefined, true)) }, t("integrations.showDeliveries")),
        h("button", { type: "button", class: "secondary", ...describe("rotate"), onclick: () => act(async () => {
          if (!await confirmDialog({ title: t("common.confirmTitle"), text: t("integrations.confirmRotate", { url: e.url }), confirm: t("integrations.rotate"), cancel: t("common.cancel") })) return;
          const rotated = await api<WebhookSecret>("POST", `/api/webhooks/endpoints/${e.id}/rotate-secret`);
          status.className = "webhook-status";
          status.textContent = "";
          showSecret(rotated, rotated.endpoint.previousSecretValidUntil
            ? t("integrations.previousUntil", { time: formatDate(rotated.endpoint.previousSecretValidUntil) }) : null);
          await refresh();
        }) }, t("integrations.rotate")),
        h("button", { type: "button", class: "secondary", ...describe("toggle"), onclick: () => act(async () => {
          await api<WebhookEndpoint>("PATCH", `/api/webhooks/endpoints/${e.id}`, { enabled: !e.enabled });
          say("success", e.enabled ? t("integrations.disabledDone") : t("integrations.enabledDone"));
          await refresh();
          // The row is drawn anew: the keyboard stays on its (now opposite) switch.
          list.querySelector<HTMLElement>(`tr[data-endpoint="${CSS.escape(e.id)}"] [data-action=toggle]`)?.focus();
        }) }, e.enabled ? t("integrations.disable") : t("integrations.enable")),
        h("button", { type: "button", class: "danger", ...describe("delete"), onclick: () => act(async () => {
          if (!await confirmDialog({ title: t("common.confirmTitle"), text: t("integrations.confirmDelete", { url: e.url }), confirm: t("integrations.delete"), cancel: t("common.cancel"), danger: true })) return;
          await api("DELETE", `/api/webhooks/endpoints/${e.id}`);
          if (log.endpointId() === e.id) log.close();
          say("success", t("integrations.deleted"));
          await refresh();
        }) }, t("integrations.delete")))));
  };

  const log = deliveryLog(leaving.signal, (kind, text) => say(kind, text));
  await refresh();

  const eventBoxes = eventTypes.map((type) => {
    const id = uid("event-type");
    const slot = h("div", { id: `${id}-hint`, class: "hint" }, type.description);
    const box = h("input", { type: "checkbox", id, name: "eventTypes", value: type.type, "aria-describedby": slot.id });
    return { box, row: h("div", { class: "event-type" }, h("div", { class: "checkbox" }, box, h("label", { for: id }, h("code", {}, type.type))), slot) };
  });
  const eventsError = errorSlot("eventTypes");
  for (const { box } of eventBoxes) markControl(box, "eventTypes", eventsError);
  const chosen = () => eventBoxes.filter(({ box }) => box.checked).map(({ box }) => box.value);
  const eventsField = h("fieldset", { class: "event-types" },
    h("legend", {}, t("integrations.eventTypes")), eventsError, eventBoxes.map(({ row }) => row));

  const createForm = form({
    fields: [
      { name: "url", label: t("integrations.url"), type: "url", required: true, hint: t("integrations.urlHint"), autocomplete: "off" },
      { name: "description", label: t("integrations.description"), hint: t("integrations.descriptionHint") },
      { name: "eventTypes", label: t("integrations.eventTypes"), type: "custom", content: eventsField },
    ],
    submit: t("integrations.add"),
    validate: (): Record<string, string> => (chosen().length === 0 ? { eventTypes: t("integrations.chooseEvents") } : {}),
    onSubmit: async (v) => {
      const created = await api<WebhookSecret>("POST", "/api/webhooks/endpoints", {
        url: String(v.url).trim(), description: String(v.description).trim(), eventTypes: chosen(), enabled: true,
      });
      showSecret(created, null);
      createForm.reset();
      await refresh();
      return t("integrations.added");
    },
  });

  return h("section", { class: "integrations" },
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/integrations"),
    h("div", { class: "card" },
      h("h2", {}, t("integrations.title")),
      h("p", {}, t("integrations.intro")),
      h("p", {}, t("integrations.referenceLead"), " ", h("a", { href: "/api/reference" }, t("integrations.reference")))),
    h("div", { class: "card" }, h("h2", {}, t("integrations.listTitle")), status, list),
    secretArea,
    log.view,
    h("div", { class: "card" }, h("h2", {}, t("integrations.addTitle")), createForm));
}

/**
 * The delivery log of one endpoint: newest first with "Load more", each delivery with its attempts and *Resend*, a
 * *Refresh* and a *Recover* form. After an action it asks again every 2 s (for up to 30 s) while a delivery is pending or
 * until what was waited for is there; leaving the page, closing the log or opening another endpoint's stops that.
 */
function deliveryLog(leaving: AbortSignal, say: (kind: "success" | "error", text: string) => void) {
  const heading = h("h2", { tabindex: -1 });
  const items = h("ol", { class: "deliveries" });
  const more = h("div", { class: "actions" });
  const view = h("div", { class: "card webhook-log", hidden: true, "data-log": "" });
  let endpoint: WebhookEndpoint | null = null;
  let generation = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  leaving.addEventListener("abort", () => clearTimeout(timer));

  const stop = () => {
    generation++;
    clearTimeout(timer);
  };

  const draw = (page: WebhookDeliveryPage, append: boolean) => {
    if (!append) replace(items);
    if (!append && page.items.length === 0) items.append(h("li", { class: "empty" }, t("integrations.noDeliveries")));
    items.append(...page.items.map(deliveryItem));
    replace(more, page.nextCursor ? h("button", { type: "button", class: "secondary", onclick: () => void loadMore(page.nextCursor!) }, t("integrations.loadMore")) : null);
  };

  const firstPage = async () => {
    const page = await api<WebhookDeliveryPage>("GET", `/api/webhooks/endpoints/${endpoint!.id}/deliveries?limit=25`);
    draw(page, false);
    return page.items;
  };

  const loadMore = async (cursor: string) => {
    try {
      draw(await api<WebhookDeliveryPage>("GET", `/api/webhooks/endpoints/${endpoint!.id}/deliveries?limit=25&cursor=${encodeURIComponent(cursor)}`), true);
    } catch (error) {
      say("error", problemText(error));
    }
  };

  /** Reloads the first page now and keeps doing so while `until` is not met or a delivery is pending. */
  const watch = async (until: (items: WebhookDelivery[]) => boolean = () => true) => {
    stop();
    const mine = generation;
    const deadline = Date.now() + pollFor;
    const tick = async () => {
      if (mine !== generation || leaving.aborted || !view.isConnected) return;
      let shown: WebhookDelivery[];
      try {
        shown = await firstPage();
      } catch (error) {
        say("error", problemText(error));
        return;
      }
      if (mine !== generation || leaving.aborted) return;
      if ((until(shown) && shown.every(finished)) || Date.now() >= deadline) return;
      timer = setTimeout(() => void tick(), pollEvery);
    };
    await tick();
  };

  const deliveryItem = (d: WebhookDelivery) => h("li", { class: "delivery", "data-message-id": d.messageId, "data-state": d.state },
    h("div", { class: "delivery-head" },
      h("code", { class: "event-type" }, d.eventType),
      h("span", { class: `badge state-${d.state}` }, t(`integrations.state.${d.state}` as TextKey)),
      h("span", { class: "muted small" }, formatDate(d.createdAt)),
      d.state === "pending" && d.nextAttemptAt ? h("span", { class: "muted small" }, t("integrations.nextAttempt", { time: formatDate(d.nextAttemptAt) })) : null,
      h("button", { type: "button", class: "secondary small", onclick: async () => {
        try {
          await api("POST", `/api/webhooks/endpoints/${d.endpointId}/deliveries/${encodeURIComponent(d.messageId)}/resend`);
          say("success", t("integrations.resent"));
          const before = d.attempts.length;
          await watch((shown) => shown.some((x) => x.messageId === d.messageId && x.attempts.length > before && finished(x)));
        } catch (error) {
          say("error", problemText(error));
        }
      } }, t("integrations.resend"))),
    d.attempts.length === 0 ? h("p", { class: "muted small" }, t("integrations.noAttempts")) : h("div", { class: "table-wrap" }, h("table", { class: "attempts" },
      h("thead", {}, h("tr", {}, [t("integrations.attemptTime"), t("integrations.attemptResult"), t("integrations.attemptLatency"), t("integrations.attemptResponse")]
        .map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, d.attempts.map((a) => h("tr", {},
        h("td", {}, formatDate(a.at)),
        h("td", { class: "result" }, a.status !== null ? t("integrations.httpStatus", { status: String(a.status) }) : a.error ?? ""),
        h("td", {}, t("integrations.latencyMs", { ms: String(a.latencyMs) })),
        h("td", {}, a.response ? h("pre", { class: "response" }, a.response) : a.status !== null && a.error ? a.error : "")))))));

  const recoverForm = form({
    fields: [{ name: "since", label: t("integrations.since"), type: "datetime-local", required: true, hint: t("integrations.recoverIntro") }],
    submit: t("integrations.recover"),
    secondary: true,
    onSubmit: async (v) => {
      const at = new Date(String(v.since)); // a datetime-local value is read in the browser's zone
      const accepted = await api<{ since: string }>("POST", `/api/webhooks/endpoints/${endpoint!.id}/recover`,
        { since: Number.isNaN(at.getTime()) ? String(v.since) : at.toISOString() });
      await watch();
      return t("integrations.recovered", { time: formatDate(accepted.since ?? at.toISOString()) });
    },
  });

  replace(view,
    heading,
    h("p", { class: "muted" }, t("integrations.logIntro")),
    h("div", { class: "actions" }, h("button", { type: "button", class: "secondary", onclick: () => void watch() }, t("integrations.refresh"))),
    items,
    more,
    h("h3", {}, t("integrations.recoverTitle")),
    recoverForm);

  return {
    view,
    endpointId: () => endpoint?.id ?? null,
    /** Shows the log of `e` and watches it; `focus`: the keyboard moves to it (Show deliveries), not after a test event. */
    open: async (e: WebhookEndpoint, until?: (items: WebhookDelivery[]) => boolean, focus = false) => {
      const changed = endpoint?.id !== e.id;
      endpoint = e;
      heading.textContent = t("integrations.logTitle", { url: e.url });
      if (changed) {
        stop();
        replace(items);
        replace(more);
        recoverForm.reset();
        recoverForm.querySelector<HTMLInputElement>("input[name=since]")!.value = localInput(new Date(Date.now() - 24 * 3600_000));
      }
      view.hidden = false;
      if (focus) heading.focus();
      await watch(until);
    },
    close: () => {
      stop();
      endpoint = null;
      view.hidden = true;
    },
  };
}
