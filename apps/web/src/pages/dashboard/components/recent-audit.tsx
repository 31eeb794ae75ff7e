import type { AuditEntry } from "../../../api/audit";
import { Badge } from "../../../components/badge";
import { Identity } from "../../../components/identity";
import { formatAgo } from "../../../lib/ago";
import { useNow } from "../../../lib/clock";
import { formatDateTime } from "../../../lib/format";
import { outcomeTone } from "../../audit/components/audit-table";

/** The last few audit entries as a compact feed. */
export function RecentAudit({
  entries,
  fresh,
}: {
  entries: readonly AuditEntry[];
  fresh: ReadonlySet<number>;
}) {
  const now = useNow();
  if (entries.length === 0) return <p className="empty">No activity yet.</p>;
  return (
    <ol className="feed" aria-label="Recent audit entries">
      {entries.map((e) => (
        <li key={e.id} className={fresh.has(e.id) ? "feed-item is-fresh" : "feed-item"}>
          <span className="feed-main">
            <span className="mono feed-action">{e.action}</span>
            {e.path ? <span className="mono feed-path">{e.path}</span> : null}
          </span>
          <span className="feed-meta">
            <span className="feed-identity">
              <Identity value={e.identity} />
            </span>
            <Badge tone={outcomeTone(e.outcome)}>{e.outcome}</Badge>
            <time dateTime={e.timestamp} title={formatDateTime(e.timestamp)} className="feed-time">
              {formatAgo(e.timestamp, now)}
            </time>
          </span>
        </li>
      ))}
    </ol>
  );
}
