import type { McpTool } from "../../../api/gateway";
import { Badge } from "../../../components/badge";
import { DataTable } from "../../../components/data-table";

interface Props {
  tools: readonly McpTool[];
  /** The tool whose update is in flight. */
  busy: string | null;
  onToggleHidden: (tool: McpTool, hidden: boolean) => void;
  onEdit: (tool: McpTool) => void;
}

/** The upstream's tools as agents see them, with the tool manager's switches. */
export function ToolTable({ tools, busy, onToggleHidden, onEdit }: Props) {
  if (tools.length === 0) return <p className="empty">This server offers no tools.</p>;
  return (
    <DataTable columns={["Tool", "Description", "Visible"]} actions className="mcp-tool-table">
      {tools.map((t) => (
        <tr
          key={t.name}
          aria-label={`Tool ${t.name}`}
          className={t.hidden || t.withheld ? "is-hidden" : undefined}
        >
          <td data-label="Tool">
            <div className="cell-main">
              <span className="mono mcp-tool-name">{t.exposed_name}</span>
              {t.rename ? <span className="cell-sub">renamed from {t.name}</span> : null}
              <span className="cell-sub mono" title="Policy path">
                {t.policy_path}
              </span>
            </div>
          </td>
          <td data-label="Description">
            <div className="cell-main">
              <span className="mcp-tool-description">
                {t.description ?? <span className="muted">—</span>}
              </span>
              <span className="chips">
                {t.custom_description !== null ? <Badge tone="info">custom description</Badge> : null}
                {t.flagged.length > 0 ? (
                  <Badge tone="danger" title={`Found in the upstream's description: ${t.flagged.join(", ")}`}>
                    injection: {t.flagged.join(", ")}
                  </Badge>
                ) : null}
                {t.withheld ? (
                  <Badge tone="warning" title="The injection filter blocks it until you write a description">
                    withheld by filter
                  </Badge>
                ) : null}
              </span>
            </div>
          </td>
          <td data-label="Visible">
            <input
              type="checkbox"
              role="switch"
              aria-checked={!t.hidden}
              className="switch"
              aria-label={`Visible to agents: ${t.name}`}
              checked={!t.hidden}
              disabled={busy === t.name}
              onChange={(e) => onToggleHidden(t, !e.target.checked)}
            />
          </td>
          <td data-label="Actions">
            <button
              type="button"
              className="button button-secondary button-small"
              aria-label={`Edit tool ${t.name}`}
              onClick={() => onEdit(t)}
            >
              Edit
            </button>
          </td>
        </tr>
      ))}
    </DataTable>
  );
}
