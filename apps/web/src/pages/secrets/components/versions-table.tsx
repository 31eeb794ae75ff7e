import type { SecretVersion } from "../../../api/secrets";
import { Badge } from "../../../components/badge";
import { ChipList } from "../../../components/chip-list";
import { DataTable } from "../../../components/data-table";
import { formatDateTime } from "../../../lib/format";

interface Props {
  versions: readonly SecretVersion[];
  canRead: boolean;
  canWrite: boolean;
  onView: (version: SecretVersion) => void;
  onRollback: (version: SecretVersion) => void;
}

/** Newest first; older versions can be viewed (after a confirmation) and rolled back to. */
export function VersionsTable({ versions, canRead, canWrite, onView, onRollback }: Props) {
  if (versions.length === 0) return <p className="empty">No versions.</p>;
  return (
    <DataTable columns={["Version", "Written", "Metadata"]} actions className="versions-table">
      {versions.map((v) => (
        <tr key={v.version} aria-label={`Version ${v.version}`}>
          <td data-label="Version">
            <span className="version-cell">
              <strong>v{v.version}</strong>
              {v.current ? <Badge tone="success">current</Badge> : null}
            </span>
          </td>
          <td data-label="Written">
            <div className="cell-main">
              <span>{formatDateTime(v.created_at)}</span>
              {v.archived_at ? (
                <span className="cell-sub">replaced {formatDateTime(v.archived_at)}</span>
              ) : null}
            </div>
          </td>
          <td data-label="Metadata">
            <ChipList items={Object.keys(v.metadata).sort()} empty={<span className="muted">—</span>} />
          </td>
          <td data-label="Actions">
            <div className="button-row row-actions">
              {canRead ? (
                <button
                  type="button"
                  className="button button-ghost button-small"
                  aria-label={`View version ${v.version}`}
                  onClick={() => onView(v)}
                >
                  View
                </button>
              ) : null}
              {canWrite && !v.current ? (
                <button
                  type="button"
                  className="button button-secondary button-small"
                  aria-label={`Roll back to version ${v.version}`}
                  onClick={() => onRollback(v)}
                >
                  Roll back
                </button>
              ) : null}
            </div>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
