import type { AuditEntry } from "../../../api/audit";
import { Badge, type BadgeTone } from "../../../components/badge";
import { DataTable } from "../../../components/data-table";
import { Identity } from "../../../components/identity";
import { formatDateTime } from "../../../lib/format";

const formatTime = (iso: string) => new Date(iso).toLocaleTimeString(undefined, { timeStyle: "medium" });
const formatDay = (iso: string) => new Date(iso).toLocaleDateString(undefined, { dateStyle: "medium" });

const OUTCOME_TONES: Record<string, BadgeTone> = {
  success: "success",
  denied: "danger",
  failure: "danger",
  error: "danger",
  pending: "info",
  expired: "neutral",
};

export const outcomeTone = (outcome: string): BadgeTone => OUTCOME_TONES[outcome] ?? "neutral";

interface Props {
  entries: readonly AuditEntry[];
  /** Entries that arrived by live tail, highlighted. */
  fresh?: ReadonlySet<number>;
}

/** Audit entries, newest first; details (metadata, ids) fold out per row. */
export function AuditTable({ entries, fresh }: Props) {
  return (
    <DataTable columns={["Time", "Identity", "Action", "Path", "Outcome", "Details"]} className="audit-table">
      {entries.map((e) => (
        <tr
          key={e.id}
          aria-label={`Audit entry ${e.id}`}
          className={fresh?.has(e.id) ? "is-fresh" : undefined}
        >
          <td data-label="Time">
            <div className="cell-main">
              <time dateTime={e.timestamp} className="nowrap" title={formatDateTime(e.timestamp)}>
                {formatTime(e.timestamp)}
              </time>
              <span className="cell-sub nowrap">
                {formatDay(e.timestamp)} · #{e.id}
              </span>
            </div>
          </td>
          <td data-label="Identity">
            <Identity value={e.identity} />
          </td>
          <td data-label="Action">
            <span className="mono action nowrap">{e.action}</span>
          </td>
          <td data-label="Path">
            {e.path ? <span className="mono">{e.path}</span> : <span className="muted">—</span>}
          </td>
          <td data-label="Outcome">
            <Badge tone={outcomeTone(e.outcome)}>{e.outcome}</Badge>
          </td>
          <td data-label="Details">
            <EntryDetails entry={e} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function EntryDetails({ entry }: { entry: AuditEntry }) {
  const hasMetadata = entry.metadata && Object.keys(entry.metadata).length > 0;
  if (!hasMetadata && !entry.source_ip && !entry.request_id && !entry.lease_id) {
    return <span className="muted">—</span>;
  }
  return (
    <details className="entry-details">
      <summary>{entry.source_ip ?? "details"}</summary>
      <dl className="facts">
        {entry.source_ip ? (
          <>
            <dt>Source IP</dt>
            <dd className="mono">{entry.source_ip}</dd>
          </>
        ) : null}
        {entry.request_id ? (
          <>
            <dt>Request ID</dt>
            <dd className="mono">{entry.request_id}</dd>
          </>
        ) : null}
        {entry.lease_id ? (
          <>
            <dt>Lease</dt>
            <dd className="mono">{entry.lease_id}</dd>
          </>
        ) : null}
      </dl>
      {hasMetadata ? <pre className="metadata-json">{JSON.stringify(entry.metadata, null, 2)}</pre> : null}
    </details>
  );
}
