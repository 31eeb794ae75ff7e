import type { User } from "../../../api/users";
import { Badge } from "../../../components/badge";
import { ChipList } from "../../../components/chip-list";
import { DataTable } from "../../../components/data-table";
import { formatDateTime } from "../../../lib/format";

interface Props {
  users: readonly User[];
  currentUsername: string | undefined;
  /** The enabled flag being saved, shown at once (optimistically) until the list refreshes. */
  toggling: { username: string; enabled: boolean } | null;
  onToggleEnabled: (user: User, enabled: boolean) => void;
  onEdit: (user: User) => void;
  onResetTotp: (user: User) => void;
  onDelete: (user: User) => void;
}

export function UserTable({
  users,
  currentUsername,
  toggling,
  onToggleEnabled,
  onEdit,
  onResetTotp,
  onDelete,
}: Props) {
  if (users.length === 0) return <p className="empty">No users yet.</p>;
  return (
    <DataTable columns={["User", "Role", "Policies", "Two-factor", "Last sign-in", "Enabled"]} actions>
      {users.map((u) => {
        const self = u.username === currentUsername;
        const pending = toggling?.username === u.username ? toggling : null;
        const enabled = pending ? pending.enabled : u.enabled;
        return (
          <tr key={u.id} aria-label={u.username}>
            <td data-label="User">
              <div className="cell-main">
                <strong>
                  {u.display_name}
                  {self ? <span className="muted"> (you)</span> : null}
                </strong>
                <span className="cell-sub mono">{u.username}</span>
                {u.email ? <span className="cell-sub">{u.email}</span> : null}
              </div>
            </td>
            <td data-label="Role">
              <Badge tone={u.role === "admin" ? "accent" : u.role === "approver" ? "info" : "neutral"}>
                {u.role}
              </Badge>
              {u.auth_source !== "local" ? <span className="cell-sub"> via {u.auth_source}</span> : null}
            </td>
            <td data-label="Policies">
              <ChipList items={u.policies} empty={<span className="muted">—</span>} />
            </td>
            <td data-label="Two-factor">
              {u.totp_enabled ? (
                <div className="cell-main">
                  <Badge tone="success">On</Badge>
                  <span className="cell-sub">{u.recovery_codes_remaining} recovery codes left</span>
                </div>
              ) : (
                <Badge tone="warning">Off</Badge>
              )}
            </td>
            <td data-label="Last sign-in">{formatDateTime(u.last_login_at)}</td>
            <td data-label="Enabled">
              <input
                type="checkbox"
                role="switch"
                aria-checked={enabled}
                className="switch"
                aria-label={`Sign-in enabled for ${u.username}`}
                title={self ? "You cannot disable your own account" : undefined}
                checked={enabled}
                disabled={self || pending !== null}
                onChange={(e) => onToggleEnabled(u, e.target.checked)}
              />
            </td>
            <td data-label="Actions">
              <div className="button-row">
                <button
                  type="button"
                  className="button button-secondary button-small"
                  aria-label={`Edit ${u.username}`}
                  onClick={() => onEdit(u)}
                >
                  Edit
                </button>
                {u.totp_enabled ? (
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    aria-label={`Reset 2FA for ${u.username}`}
                    onClick={() => onResetTotp(u)}
                  >
                    Reset 2FA
                  </button>
                ) : null}
                <button
                  type="button"
                  className="button button-danger-ghost button-small"
                  aria-label={`Delete ${u.username}`}
                  disabled={self}
                  onClick={() => onDelete(u)}
                >
                  Delete
                </button>
              </div>
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
