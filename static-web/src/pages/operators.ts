import { api, type Operator } from "../api";
import { customerLanguages } from "../appointmentFields";
import { h, replace } from "../dom";
import { form, secretBox, timeZoneList } from "../forms";
import { confirmDialog } from "../confirmDialog";
import { problemText } from "../problems";
import { t } from "../i18n";
import type { Context } from "../main";
import { settingsTabs } from "./shell";

interface CreatedOperator {
  operator: Operator;
  setPasswordUrl: string;
  invitationSent: boolean;
}

interface PasswordLink {
  setPasswordUrl: string;
  invitationSent: boolean;
}

const roleName = (role: string) => t(role === "administrator" ? "operators.role.administrator" : "operators.role.operator");


export async function operatorsPage(ctx: Context): Promise<Node> {
  const list = h("div", { class: "table-wrap" });
  const linkPanel = h("div", { "aria-live": "polite" });
  const rowError = h("div", { role: "alert", class: "alert error", hidden: true });

  /** The link that was just e-mailed (or could not be), to copy and hand over in person. */
  const showLink = (op: Operator, link: PasswordLink) => replace(linkPanel, h("div", { class: "card", "data-link-for": op.email },
    h("h2", {}, t("operators.linkTitle", { name: op.name })),
    h("p", { class: link.invitationSent ? undefined : "alert error" },
      link.invitationSent ? t("operators.linkText", { name: op.name, email: op.email }) : t("operators.linkNotSent", { name: op.name })),
    secretBox(link.setPasswordUrl, t("operators.linkTitle", { name: op.name }))));

  /** Runs a change; a refused one shows why, and the list is drawn again from what is stored either way (a select goes back). */
  const act = async (call: () => Promise<unknown>, explain: (reason: string) => string = (reason) => reason) => {
    rowError.hidden = true;
    try {
      await call();
    } catch (error) {
      rowError.hidden = false;
      rowError.textContent = explain(problemText(error));
    }
    await refresh().catch(() => undefined);
  };

  const deactivate = async (op: Operator) => {
    const sure = await confirmDialog({
      title: t("operators.deactivateTitle", { name: op.name }),
      text: t("operators.deactivateText", { name: op.name }),
      confirm: t("operators.deactivate"),
      cancel: t("common.cancel"),
      danger: true,
    });
    if (sure) await act(() => api("DELETE", `/api/operators/${op.id}`));
  };

  const refresh = async () => {
    const operators = await api<Operator[]>("GET", "/api/operators");
    replace(list, h("table", {},
      h("thead", {}, h("tr", {}, [t("operators.name"), t("operators.email"), t("operators.role"), t("operators.lineId"), t("operators.status"), t("operators.actions")].map((c) => h("th", { scope: "col" }, c)))),
      h("tbody", {}, operators.map((op) => {
        const self = op.id === ctx.me.operator?.id;
        const roleSelect = h("select", { "aria-label": `${t("operators.role")}: ${op.name}`, "data-stored": op.role, onchange: (e: Event) =>
          void act(() => api("PATCH", `/api/operators/${op.id}`, { role: (e.target as HTMLSelectElement).value }),
            (reason) => t("operators.roleRefused", { name: op.name, role: roleName(op.role), reason })) },
          ["operator", "administrator"].map((r) => h("option", { value: r, selected: r === op.role }, roleName(r))));
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
              ? h("button", { type: "button", class: "danger", onclick: () => void deactivate(op) }, t("operators.deactivate"))
              : h("button", { type: "button", class: "secondary", onclick: () => void act(() => api("PATCH", `/api/operators/${op.id}`, { active: true })) }, t("operators.reactivate")),
            op.active && !self
              ? h("button", { type: "button", class: "secondary", onclick: () => void act(async () => {
                  showLink(op, await api<PasswordLink>("POST", `/api/operators/${op.id}/password-link`));
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
      { name: "language", label: t("operators.language"), hint: t("operators.languageHint"), type: "select", value: ctx.me.account.defaultLanguage,
        options: Object.entries(customerLanguages).map(([value, label]) => ({ value, label })) },
    ],
    submit: t("operators.add"),
    onSubmit: async (v) => {
      const created = await api<CreatedOperator>("POST", "/api/operators", v);
      showLink(created.operator, created);
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
