import type { DynamicLease, LeaseStatus } from "../../../api/dynamic";
import { Badge, type BadgeTone } from "../../../components/badge";
import { Countdown } from "../../../components/countdown";
import { DataTable } from "../../../components/data-table";
import { Identity } from "../../../components/identity";
import { formatDateTime, formatRelative } from "../../../lib/format";

const STATUS: Record<LeaseStatus, { label: string; tone: BadgeTone }> = {
  creating: { label: "creating", tone: "info" },
  active: { label: "active", tone: "success" },
  revoking: { label: "revoking", tone: "warning" },
  revoke_failed: { label: "revoke failing", tone: "danger" },
  revoked: { label: "revoked", tone: "neutral" },
  failed: { label: "creation failed", tone: "neutral" },
};

/** Statuses in which a user may still exist on the engine, so a revoke (or a retry) makes sense. */
const REVOCABLE: ReadonlySet<LeaseStatus> = new Set(["active", "revoke_failed"]);

interface Props {
  leases: readonly DynamicLease[];
  revocation: "immediate" | "expiry";
  busyId: string | null;
  onRevoke: (lease: DynamicLease) => void;
}

export function DynamicLeaseTable({ leases, revocation, busyId, onRevoke }: Props) {
  if (leases.length === 0) return <p className="empty">No leases.</p>;
  return (
    <DataTable
      columns={["Credential", "Holder", "Status", "Time left"]}
      actions
      className="dynamic-lease-table"
    >
      {leases.map((l) => {
        const status = STATUS[l.status] ?? { label: l.status, tone: "neutral" as const };
        const failing = l.status === "revoke_failed";
        return (
          <tr key={l.id} aria-label={`Lease ${l.id}`} className={failing ? "is-failing" : undefined}>
            <td data-label="Credential">
              <div className="cell-main">
                <span className="mono">{l.credential_username}</span>
                <span className="cell-sub mono" title={l.id}>
                  {l.id.length > 20 ? `${l.id.slice(0, 16)}…` : l.id}
                </span>
              </div>
            </td>
            <td data-label="Holder">
              <Identity value={l.identity} />
              {l.approval_request_id ? <span className="cell-sub"> approved request</span> : null}
            </td>
            <td data-label="Status">
              <div className="cell-main">
                <Badge tone={status.tone}>{status.label}</Badge>
                {failing ? (
                  <span className="cell-sub lease-failure">
                    {l.revoke_attempts} attempt{l.revoke_attempts === 1 ? "" : "s"}; next retry{" "}
                    {formatRelative(l.next_attempt_at)}.{l.last_error ? ` ${l.last_error}` : ""}
                  </span>
                ) : l.last_error && l.status !== "revoked" ? (
                  <span className="cell-sub">{l.last_error}</span>
                ) : null}
                {l.status === "revoked" ? (
                  <span className="cell-sub">
                    {formatDateTime(l.revoked_at)}
                    {l.revoke_reason ? ` (${l.revoke_reason.replace(/_/g, " ")})` : ""}
                  </span>
                ) : null}
              </div>
            </td>
            <td data-label="Time left">
              {l.status === "active" || failing ? (
                <Countdown to={l.expires_at} />
              ) : (
                <span className="muted">—</span>
              )}
            </td>
            <td data-label="Actions">
              {REVOCABLE.has(l.status) ? (
                <button
                  type="button"
                  className="button button-danger-ghost button-small"
                  disabled={busyId === l.id}
                  aria-label={`${failing ? "Retry revoke of" : "Revoke"} ${l.credential_username}`}
                  title={
                    revocation === "expiry"
                      ? "Gatehouse stops handing it out; the certificate itself stays valid until it expires"
                      : undefined
                  }
                  onClick={() => onRevoke(l)}
                >
                  {busyId === l.id ? "Revoking…" : failing ? "Retry revoke" : "Revoke"}
                </button>
              ) : null}
            </td>
          </tr>
        );
      })}
    </DataTable>
  );
}
