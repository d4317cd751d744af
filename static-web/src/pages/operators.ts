import { api, ApiError, type Operator } from "../api";
import { h, replace } from "../dom";
import { form, secretBox, timeZoneList } from "../forms";
import { t } from "../i18n";
import type { Context } from "../main";
import { settingsTabs } from "./shell";

interface CreatedOperator {
  operator: Operator;
  setPasswordUrl: string;
}

export async function operatorsPage(ctx: Context): Promise<Node> {
  const list = h("div", { class: "table-wrap" });
  const linkPanel = h("div", { "aria-live": "polite" });
  const rowError = h("div", { role: "alert", class: "alert error", hidden: true });

  const showLink = (name: string, url: string) => replace(linkPanel, h("div", { class: "card" },
    h("h2", {}, t("operators.linkTitle", { name })),
    h("p", {}, t("operators.linkText", { name })),
    secretBox(url, t("operators.linkTitle", { name }))));

  const act = async (call: () => Promise<unknown>) => {
    rowError.hidden = true;
    try {
      await call();
      await refresh();
    } catch (error) {
      rowError.hidden = false;
      rowError.textContent = error instanceof ApiError
        ? Object.values(error.problem.errors ?? {}).flat().join(" ") || error.problem.detail || t("errors.unexpected")
        : t("errors.network");
    }
  };

  const refresh = async () => {
    const operators = await api<Operator[]>("GET", "/api/operators");
    replace(list, h("table", {},
      h("thead", {}, h("tr", {}, [t("operators.name"), t("operators.email"), t("operators.role"), t("operators.lineId"), t("operators.status"), t("operators.actions")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, operators.map((op) => {
        const self = op.id === ctx.me.operator?.id;
        const roleSelect = h("select", { "aria-label": `${t("operators.role")}: ${op.name}`, onchange: (e: Event) =>
          void act(() => api("PATCH", `/api/operators/${op.id}`, { role: (e.target as HTMLSelectElement).value })) },
          ["operator", "administrator"].map((r) => h("option", { value: r, selected: r === op.role }, t(r === "operator" ? "operators.role.operator" : "operators.role.administrator"))));
        return h("tr", { class: op.active ? undefined : "inactive", "data-operator": op.email },
          h("td", {}, op.name, self ? ` (${t("common.you")})` : ""),
          h("td", { class: "email" }, op.email),
          h("td", {}, roleSelect),
          h("td", {}, op.lineId ?? ""),
          h("td", {}, h("span", { class: op.active ? "badge" : "badge off" }, op.active ? t("operators.active") : t("operators.inactive")),
            !op.hasPassword && op.active ? h("span", { class: "badge off" }, " " + t("operators.noPassword")) : null),
          h("td", {}, h("div", { class: "actions" },
            op.active && self
              ? null
              : op.active
              ? h("button", { type: "button", class: "danger", onclick: () => void act(() => api("DELETE", `/api/operators/${op.id}`)) }, t("operators.deactivate"))
              : h("button", { type: "button", class: "secondary", onclick: () => void act(() => api("PATCH", `/api/operators/${op.id}`, { active: true })) }, t("operators.reactivate")),
            op.active && !self
              ? h("button", { type: "button", class: "secondary", onclick: () => void act(async () => {
                  const link = await api<{ setPasswordUrl: string }>("POST", `/api/operators/${op.id}/password-link`);
                  showLink(op.name, link.setPasswordUrl);
                }) }, t("operators.newLink"))
              : null)));
      }))));
  };
  await refresh();

  const addForm = form({
    fields: [
      { name: "name", label: t("operators.name"), required: true, maxLength: 100 },
      { name: "email", label: t("operators.email"), type: "email", required: true, autocomplete: "off" },
      { name: "role", label: t("operators.role"), type: "select", value: "operator",
        options: [{ value: "operator", label: t("operators.role.operator") }, { value: "administrator", label: t("operators.role.administrator") }] },
      { name: "lineId", label: t("operators.lineId"), hint: t("operators.lineIdHint"), maxLength: 32 },
      { name: "timeZone", label: t("operators.timeZone"), value: ctx.me.account.timeZone, list: "operator-zones" },
    ],
    submit: t("operators.add"),
    onSubmit: async (v) => {
      const created = await api<CreatedOperator>("POST", "/api/operators", v);
      showLink(created.operator.name, created.setPasswordUrl);
      addForm.reset();
      await refresh();
    },
  });

  return h("section", {},
    h("h1", {}, t("settings.title")),
    settingsTabs(ctx, "/settings/operators"),
    h("div", { class: "card" }, h("h2", {}, t("operators.title")), h("p", {}, t("operators.intro")), rowError, list),
    linkPanel,
    h("div", { class: "card" }, h("h2", {}, t("operators.add")), timeZoneList("operator-zones"), addForm));
}
