import type { FilterActionRecord, McpCall } from "../../../api/gateway";
import { Badge, type BadgeTone } from "../../../components/badge";
import { DataTable } from "../../../components/data-table";
import { Identity } from "../../../components/identity";
import { formatDateTime } from "../../../lib/format";

const tone = (c: McpCall): BadgeTone =>
  c.success
    ? c.result === "tool_error"
      ? "warning"
      : "success"
    : c.outcome === "pending"
      ? "info"
      : c.outcome === "denied"
        ? "warning"
        : "danger";

const label = (c: McpCall) =>
  (c.success
    ? c.result === "tool_error"
      ? "tool error"
      : "ok"
    : (c.result ?? c.outcome ?? "error")
  ).replace(/_/g, " ");

/** One chip per filter, type, verdict and direction, with the counts added up. */
function grouped(actions: readonly FilterActionRecord[]) {
  const out = new Map<string, FilterActionRecord>();
  for (const a of actions) {
    const key = `${a.filter}:${a.type}:${a.action}:${a.direction ?? ""}`;
    const seen = out.get(key);
    out.set(key, seen ? { ...seen, count: seen.count + a.count } : a);
  }
  return [...out.entries()];
}

const size = (n: number | null) => (n === null ? "—" : n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KB`);

/** Recent calls through one server, from the audit log: who, which tool, outcome, filters (no values). */
export function CallTable({ calls }: { calls: readonly McpCall[] }) {
  if (calls.length === 0) return <p className="empty">No calls yet.</p>;
  return (
    <DataTable
      columns={["Time", "Caller", "Tool", "Outcome", "Duration", "Filters"]}
      className="mcp-call-table"
    >
      {calls.map((c, i) => (
        <tr key={`${c.timestamp}-${c.request_id ?? i}`}>
          <td data-label="Time">{formatDateTime(c.timestamp)}</td>
          <td data-label="Caller">
            <Identity value={c.identity} />
          </td>
          <td data-label="Tool">
            <span className="mono">{c.exposed_name ?? c.tool ?? "—"}</span>
          </td>
          <td data-label="Outcome">
            <div className="cell-main">
              <Badge tone={tone(c)}>{label(c)}</Badge>
              {c.error_code && !c.success ? <span className="cell-sub mono">{c.error_code}</span> : null}
            </div>
          </td>
          <td data-label="Duration">
            <div className="cell-main">
              <span>{c.duration_ms === null ? "—" : `${c.duration_ms} ms`}</span>
              <span className="cell-sub">
                {size(c.argument_bytes)} in, {size(c.result_bytes)} out
              </span>
            </div>
          </td>
          <td data-label="Filters">
            {c.filters.length === 0 ? (
              <span className="muted">—</span>
            ) : (
              <span className="chips">
                {grouped(c.filters).map(([key, f]) => (
                  <Badge
                    key={key}
                    tone={f.action === "block" ? "danger" : f.action === "redact" ? "warning" : "neutral"}
                    title={f.direction ? `in the ${f.direction.replace(/_/g, " ")}` : undefined}
                  >
                    {f.action} {f.type}
                    {f.count > 1 ? ` ×${f.count}` : ""}
                  </Badge>
                ))}
              </span>
            )}
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
