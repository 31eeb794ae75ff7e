import type { ReactNode } from "react";
import type { ApprovalRequest } from "../../../api/approvals";
import { Badge } from "../../../components/badge";
import { Countdown } from "../../../components/countdown";
import { formatAgo } from "../../../lib/ago";
import { useNow } from "../../../lib/clock";
import { formatDateTime, formatDuration } from "../../../lib/format";

const KIND_LABELS: Record<string, string> = {
  read: "Read value",
  lease: "Lease",
  dynamic: "Dynamic checkout",
  proxy: "Proxy call",
  call: "MCP tool call",
};

export const requester = (r: ApprovalRequest) => r.display_name || r.identity;

/** One pending request: who, what, why, from where, and for how long. `children` holds the decision. */
export function RequestCard({
  request,
  isNew,
  children,
}: {
  request: ApprovalRequest;
  isNew?: boolean;
  children: ReactNode;
}) {
  const r = request;
  const now = useNow();
  return (
    <article
      className={isNew ? "request-card is-new" : "request-card"}
      aria-label={`Request from ${requester(r)} for ${r.path}`}
    >
      <header className="request-head">
        <div className="request-who">
          <strong>{requester(r)}</strong>
          {r.display_name && r.display_name !== r.identity ? (
            <span className="mono cell-sub">{r.identity}</span>
          ) : null}
        </div>
        <div className="request-badges">
          <Badge tone="info">{KIND_LABELS[r.kind] ?? r.kind}</Badge>
          {isNew ? <Badge tone="accent">new</Badge> : null}
        </div>
      </header>
      <p className="request-path mono">{r.path}</p>
      {r.reason ? (
        <blockquote className="request-reason">
          <span className="visually-hidden">Reason: </span>
          {r.reason}
        </blockquote>
      ) : (
        <p className="request-reason is-empty">No reason given.</p>
      )}
      <dl className="request-facts">
        <div>
          <dt>Source IP</dt>
          <dd className="mono">{r.source_ip ?? "unknown"}</dd>
        </div>
        <div>
          <dt>Requested TTL</dt>
          <dd>
            {r.requested_ttl !== null
              ? `${formatDuration(r.requested_ttl)} (${r.requested_ttl} s)`
              : "default"}
          </dd>
        </div>
        <div>
          <dt>Max TTL</dt>
          <dd>{r.max_ttl !== null ? `${formatDuration(r.max_ttl)} (${r.max_ttl} s)` : "none"}</dd>
        </div>
        <div>
          <dt>Asked</dt>
          <dd>
            <time dateTime={r.created_at} title={formatDateTime(r.created_at)}>
              {formatAgo(r.created_at, now)}
            </time>
          </dd>
        </div>
        <div>
          <dt>Expires in</dt>
          <dd>
            <Countdown to={r.expires_at} />
          </dd>
        </div>
        <div>
          <dt>Request ID</dt>
          <dd className="mono request-id-value">{r.request_id}</dd>
        </div>
      </dl>
      {children}
    </article>
  );
}
