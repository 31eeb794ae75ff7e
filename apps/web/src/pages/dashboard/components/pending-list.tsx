import type { ApprovalRequest } from "../../../api/approvals";
import { Countdown } from "../../../components/countdown";
import { Link } from "../../../lib/router";

/** Pending requests in brief, each linking to the Approvals page where the decision is made. */
export function PendingList({ requests }: { requests: readonly ApprovalRequest[] }) {
  if (requests.length === 0) return <p className="empty">No requests waiting.</p>;
  return (
    <ul className="feed" aria-label="Pending approval requests">
      {requests.map((r) => (
        <li key={r.request_id} className="feed-item">
          <span className="feed-main">
            <strong>{r.display_name || r.identity}</strong>
            <span className="muted"> wants {r.kind} on </span>
            <span className="mono feed-path">{r.path}</span>
          </span>
          <span className="feed-meta">
            {r.reason ? <span className="feed-reason">“{r.reason}”</span> : null}
            <span className="feed-time">
              expires in <Countdown to={r.expires_at} />
            </span>
            <Link to="/approvals" className="button button-secondary button-small">
              Review
            </Link>
          </span>
        </li>
      ))}
    </ul>
  );
}
