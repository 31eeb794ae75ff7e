import { isLeaseActive, type Lease } from "../../../api/leases";
import { Badge } from "../../../components/badge";
import { Countdown } from "../../../components/countdown";
import { DataTable } from "../../../components/data-table";
import { Identity } from "../../../components/identity";
import { useNow } from "../../../lib/clock";
import { formatDateTime, formatDuration } from "../../../lib/format";
import { Link } from "../../../lib/router";

interface Props {
  leases: readonly Lease[];
  /** Omit for a read-only table (the dashboard). */
  onRenew?: (lease: Lease) => void;
  onRevoke?: (lease: Lease) => void;
  compact?: boolean;
}

const secretHref = (path: string) => `/secrets/${path.split("/").map(encodeURIComponent).join("/")}`;

function LeaseStatus({ lease, now }: { lease: Lease; now: number }) {
  // Dynamic leases carry their provider lifecycle: creating, revoking, revoke_failed (retried).
  if (lease.status && lease.status !== "active" && lease.status !== "expired" && lease.status !== "revoked") {
    return (
      <Badge
        tone={lease.status === "revoke_failed" ? "danger" : "info"}
        title={lease.last_error ?? undefined}
      >
        {lease.status.replace(/_/g, " ")}
      </Badge>
    );
  }
  if (lease.revoked) {
    return (
      <Badge tone="danger" title={lease.revoke_reason ?? undefined}>
        {lease.revoke_reason === "secret_deleted" ? "revoked (secret deleted)" : "revoked"}
      </Badge>
    );
  }
  if (!isLeaseActive(lease, now)) return <Badge>expired</Badge>;
  return <Badge tone="success">active</Badge>;
}

/** Leases with a live countdown; below 720 px each row is a card. */
export function LeaseTable({ leases, onRenew, onRevoke, compact }: Props) {
  const now = useNow();
  const actions = Boolean(onRenew || onRevoke);
  return (
    <DataTable
      columns={["Secret", "Holder", "Time left", ...(compact ? [] : ["TTL", "Status"])]}
      actions={actions}
      className={compact ? "lease-table is-compact" : "lease-table"}
    >
      {leases.map((lease) => {
        const active = isLeaseActive(lease, now);
        return (
          <tr key={lease.id} aria-label={`Lease ${lease.id}`} className={active ? undefined : "is-inactive"}>
            <td data-label="Secret">
              <div className="cell-main">
                <Link
                  to={lease.kind === "dynamic" ? "/dynamic-secrets" : secretHref(lease.path)}
                  className="mono"
                >
                  {lease.path}
                </Link>
                {lease.kind === "dynamic" ? (
                  <span>
                    <Badge tone="accent">
                      dynamic{lease.provider_type ? ` · ${lease.provider_type}` : ""}
                    </Badge>
                  </span>
                ) : null}
                {compact ? null : <span className="cell-sub mono">{lease.id}</span>}
                {lease.last_error && !compact ? (
                  <span className="cell-sub lease-error">{lease.last_error}</span>
                ) : null}
              </div>
            </td>
            <td data-label="Holder">
              <Identity value={lease.identity} />
            </td>
            <td data-label="Time left">
              {active ? (
                <Countdown to={lease.expires_at} />
              ) : (
                <span className="muted" title={formatDateTime(lease.revoked_at ?? lease.expires_at)}>
                  {lease.revoked
                    ? `revoked ${formatDateTime(lease.revoked_at)}`
                    : `ended ${formatDateTime(lease.expires_at)}`}
                </span>
              )}
            </td>
            {compact ? null : (
              <td data-label="TTL">
                <div className="cell-main">
                  <span>{formatDuration(lease.ttl_seconds)}</span>
                  <span className="cell-sub">from {formatDateTime(lease.created_at)}</span>
                </div>
              </td>
            )}
            {compact ? null : (
              <td data-label="Status">
                <LeaseStatus lease={lease} now={now} />
              </td>
            )}
            {actions ? (
              <td data-label="Actions">
                {active ? (
                  <div className="button-row row-actions">
                    {onRenew ? (
                      <button
                        type="button"
                        className="button button-secondary button-small"
                        aria-label={`Renew lease on ${lease.path}`}
                        onClick={() => onRenew(lease)}
                      >
                        Renew
                      </button>
                    ) : null}
                    {onRevoke ? (
                      <button
                        type="button"
                        className="button button-danger-ghost button-small"
                        aria-label={`Revoke lease on ${lease.path}`}
                        onClick={() => onRevoke(lease)}
                      >
                        Revoke
                      </button>
                    ) : null}
                  </div>
                ) : null}
              </td>
            ) : null}
          </tr>
        );
      })}
    </DataTable>
  );
}
