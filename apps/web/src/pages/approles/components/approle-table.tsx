import type { AppRole } from "../../../api/approles";
import { Badge } from "../../../components/badge";
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
    <div className="table-wrap">
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">AppRole</th>
            <th scope="col">Policies</th>
            <th scope="col">IP allowlist</th>
            <th scope="col">Token</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
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
                  <span className="chips">
                    {r.policies.map((p) => (
                      <span key={p} className="chip">
                        {p}
                      </span>
                    ))}
                  </span>
                </td>
                <td data-label="IP allowlist">
                  {r.ip_allowlist.length > 0 ? (
                    <span className="chips">
                      {r.ip_allowlist.map((c) => (
                        <span key={c} className="chip">
                          {c}
                        </span>
                      ))}
                    </span>
                  ) : (
                    <span className="muted">Any address</span>
                  )}
                </td>
                <td data-label="Token">{formatDuration(r.token_ttl_seconds)}</td>
                <td data-label="Last used">{formatRelative(r.last_used)}</td>
                <td data-label="Status">
                  {r.suspended ? (
                    <Badge tone="danger">Suspended</Badge>
                  ) : (
                    <Badge tone="success">Active</Badge>
                  )}
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
        </tbody>
      </table>
    </div>
  );
}
