import type { McpServerView } from "../../../api/gateway";
import { Badge } from "../../../components/badge";

/** Disabled, running, starting, restarting (backoff) or stopped (started on first use). */
export function StatusBadge({ server }: { server: McpServerView }) {
  if (!server.enabled) return <Badge>disabled</Badge>;
  const s = server.status;
  switch (s.state) {
    case "running":
      return <Badge tone="success">running</Badge>;
    case "starting":
      return <Badge tone="info">starting</Badge>;
    case "backoff":
      return (
        <Badge tone="danger" title={s.last_error ?? undefined}>
          restarting
        </Badge>
      );
    default:
      return s.last_error ? (
        <Badge tone="danger" title={s.last_error}>
          failed
        </Badge>
      ) : (
        <Badge title="Started on first use">idle</Badge>
      );
  }
}
