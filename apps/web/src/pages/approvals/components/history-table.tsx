import type { ApprovalRequest } from "../../../api/approvals";
import { Badge } from "../../../components/badge";
import { DataTable } from "../../../components/data-table";
import { formatDateTime, formatDuration } from "../../../lib/format";
import { requester } from "./request-card";

const TONES = { approved: "success", denied: "danger", expired: "neutral", pending: "info" } as const;

/** Decided (or expired) requests, newest first. */
export function HistoryTable({ requests }: { requests: readonly ApprovalRequest[] }) {
  return (
    <DataTable columns={["Request", "Status", "Decision", "Asked"]}>
      {requests.map((r) => (
        <tr key={r.request_id} aria-label={`${r.status} request from ${requester(r)} for ${r.path}`}>
          <td data-label="Request">
            <div className="cell-main">
              <span className="mono">{r.path}</span>
              <span className="cell-sub">
                {requester(r)} · {r.kind}
                {r.source_ip ? ` · ${r.source_ip}` : ""}
              </span>
              {r.reason ? <span className="cell-sub">“{r.reason}”</span> : null}
            </div>
          </td>
          <td data-label="Status">
            <span className="chips">
              <Badge tone={TONES[r.status as keyof typeof TONES] ?? "neutral"}>{r.status}</Badge>
              {r.break_glass ? <Badge tone="danger">break-glass</Badge> : null}
            </span>
          </td>
          <td data-label="Decision">
            <div className="cell-main">
              {r.decided_by ? (
                <span>
                  by <span className="mono">{r.decided_by}</span>
                </span>
              ) : (
                <span className="muted">nobody decided</span>
              )}
              {r.approved_ttl !== null ? (
                <span className="cell-sub">TTL {formatDuration(r.approved_ttl)}</span>
              ) : null}
              {r.decision_reason ? <span className="cell-sub">Reason: {r.decision_reason}</span> : null}
              {r.decided_at ? <span className="cell-sub">{formatDateTime(r.decided_at)}</span> : null}
            </div>
          </td>
          <td data-label="Asked">{formatDateTime(r.created_at)}</td>
        </tr>
      ))}
    </DataTable>
  );
}
