import type { AppRole } from "../../../api/approles";
import { Badge } from "../../../components/badge";
import { ChipList } from "../../../components/chip-list";
import { DataTable } from "../../../components/data-table";
import { formatDateTime, formatDuration, formatRelative } from "../../../lib/format";

export type AppRoleAction = "onboard" | "edit" | "rotate" | "suspend" | "reinstate" | "delete";

interface Props {
  roles: readonly AppRole[];
  /** The role whose suspend flag is being saved. */
  busyRoleId: string | null;
  onAction: (role: AppRole, action: AppRoleAction) => void;
}

export function AppRoleTable({ roles, busyRoleId, onAction }: Props) {
  if (roles.length === 0) {
    return (
      <p className="empty">
        No AppRoles yet. Create one for each agent, so each has its own policies and audit trail.
      </p>
    );
  }
  return (
    <DataTable columns={["AppRole", "Policies", "IP allowlist", "Token", "Last used", "Status"]} actions>
      {roles.map((r) => {
        const name = r.display_name;
        const button = (
          action: AppRoleAction,
          text: string,
          className = "button button-secondary button-small",
        ) => (
          <button
            type="button"
            className={className}
            aria-label={`${text} ${name}`}
            disabled={busyRoleId === r.role_id}
            onClick={() => onAction(r, action)}
          >
            {text}
          </button>
        );
        return (
          <tr key={r.role_id} aria-label={name}>
            <td data-label="AppRole">
              <div className="cell-main">
                <strong>{name}</strong>
                <span className="cell-sub mono">{r.role_id}</span>
                <span className="cell-sub">Created {formatDateTime(r.created_at)}</span>
              </div>
            </td>
            <td data-label="Policies">
              <ChipList items={r.policies} />
            </td>
            <td data-label="IP allowlist">
              <ChipList items={r.ip_allowlist} empty={<span className="muted">Any address</span>} />
            </td>
            <td data-label="Token">{formatDuration(r.token_ttl_seconds)}</td>
            <td data-label="Last used">{formatRelative(r.last_used)}</td>
            <td data-label="Status">
              {r.suspended ? <Badge tone="danger">Suspended</Badge> : <Badge tone="success">Active</Badge>}
            </td>
            <td data-label="Actions">
              <div className="button-row">
                {button("onboard", "Onboard", "button button-primary button-small")}
                {button("edit", "Edit")}
                {button("rotate", "Rotate secret")}
                {r.suspended ? button("reinstate", "Reinstate") : button("suspend", "Suspend")}
                {button("delete", "Delete", "button button-danger-ghost button-small")}
              </div>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
