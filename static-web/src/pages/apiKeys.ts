import { api, ApiError, type ApiKey } from "../api";
import { h, replace } from "../dom";
import { form, secretBox } from "../forms";
import { formatDate, t } from "../i18n";
import type { Context } from "../main";
import { settingsTabs } from "./shell";
import { confirmDialog } from "../confirmDialog";

interface CreatedKey {
  id: string;
  name: string;
  prefix: string;
  key: string;
}

export async function apiKeysPage(ctx: Context): Promise<Node> {
  const list = h("div", { class: "table-wrap" });
  const created = h("div", { "aria-live": "polite" });
  const status = h("div", { role: "status" });

  const refresh = async () => {
    const keys = await api<ApiKey[]>("GET", "/api/api-keys");
    if (keys.length === 0) {
      replace(list, h("p", { class: "empty" }, t("apiKeys.empty")));
      return;
    }
    replace(list, h("table", {},
      h("thead", {}, h("tr", {}, [t("apiKeys.name"), t("apiKeys.prefix"), t("apiKeys.created"), t("apiKeys.lastUsed"), ""].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, keys.map((key) => h("tr", { "data-key": key.name },
        h("td", {}, key.name),
        h("td", {}, h("code", {}, key.prefix + "_…")),
        h("td", {}, formatDate(key.createdAt)),
        h("td", {}, key.lastUsedAt ? formatDate(key.lastUsedAt) : t("apiKeys.never")),
        h("td", {}, h("button", { type: "button", class: "danger", onclick: async () => {
          if (!await confirmDialog({ title: t("common.confirmTitle"), text: t("apiKeys.confirmRevoke", { name: key.name }), confirm: t("apiKeys.revoke"), cancel: t("common.cancel"), danger: true })) return;
          try {
            await api("DELETE", `/api/api-keys/${key.id}`);
            replace(created);
            status.className = "alert success";
            status.textContent = t("apiKeys.revoked");
          } catch (error) {
            status.className = "alert error";
            status.textContent = error instanceof ApiError ? error.problem.detail ?? t("errors.unexpected") : t("errors.network");
          }
          await refresh();
        } }, t("apiKeys.revoke"))))))));
  };
  await refresh();

  const createForm = form({
    fields: [{ name: "name", label: t("apiKeys.name"), required: true, hint: t("apiKeys.nameHint"), maxLength: 60 }],
    submit: t("apiKeys.create"),
    onSubmit: async (v) => {
      const key = await api<CreatedKey>("POST", "/api/api-keys", v);
      status.textContent = "";
      status.className = "";
      replace(created, h("div", { class: "card" },
        h("h2", {}, t("apiKeys.createdTitle", { name: key.name })),
        h("div", { class: "alert info" }, t("apiKeys.createdWarning")),
        secretBox(key.key, t("apiKeys.createdTitle", { name: key.name }))));
      createForm.reset();
      await refresh();
    },
  });

  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/api-keys"),
    h("div", { class: "card" }, h("h2", {}, t("apiKeys.title")), h("p", {}, t("apiKeys.intro")),
      h("p", {}, h("a", { href: "/api/reference/", target: "_blank", rel: "noopener" }, t("apiKeys.reference")), " ", t("apiKeys.referenceHint")),
      createForm),
    created,
    h("div", { class: "card" }, status, list));
}
