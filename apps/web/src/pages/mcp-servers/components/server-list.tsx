import type { McpServerView } from "../../../api/gateway";
import { Link } from "../../../lib/router";
import { StatusBadge } from "./status-badge";

interface Props {
  servers: readonly McpServerView[];
  selected: string | null;
  hrefOf: (name: string) => string;
}

/** Registered upstreams, each a link that selects it. */
export function ServerList({ servers, selected, hrefOf }: Props) {
  return (
    <nav aria-label="MCP servers list">
      <ul className="plain-list mcp-list">
        {servers.map((s) => (
          <li key={s.name}>
            <Link
              to={hrefOf(s.name)}
              className="dynamic-item"
              aria-current={s.name === selected ? "true" : undefined}
            >
              <span className="mcp-item-head">
                <span className="dynamic-item-path mono">{s.name}</span>
                <StatusBadge server={s} />
              </span>
              <span className="cell-sub mcp-item-target">
                {s.transport === "stdio" ? [s.command, ...(s.args ?? [])].join(" ") : s.url}
              </span>
              <span className="dynamic-item-leases">
                {s.transport === "stdio" ? "stdio" : "HTTP"} ·{" "}
                {s.tool_count === null
                  ? "tools not listed yet"
                  : `${s.tool_count} tool${s.tool_count === 1 ? "" : "s"}`}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
