import { useEffect, useState } from "react";
import { fetchRequest } from "../../../api/approvals";
import { isApiError } from "../../../api/client";
import type { PendingRead } from "../../../api/secrets";
import { Countdown } from "../../../components/countdown";

export type Decision =
  | { status: "approved" }
  | { status: "denied"; reason: string | null }
  | { status: "expired" };

/**
 * "Approval requested": shows the request id and long-polls it until an approver decides. The
 * requester cannot approve their own request, so this only waits.
 */
export function PendingApproval({
  pending,
  onDecided,
}: {
  pending: PendingRead;
  onDecided: (decision: Decision) => void;
}) {
  const [problem, setProblem] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    let stopped = false;
    const poll = async () => {
      while (!stopped) {
        try {
          const r = await fetchRequest(pending.request_id, 25, controller.signal);
          setProblem(null);
          if (r.status === "approved") return onDecided({ status: "approved" });
          if (r.status === "denied") return onDecided({ status: "denied", reason: r.decision_reason });
          if (r.status === "expired") return onDecided({ status: "expired" });
        } catch (error) {
          if (controller.signal.aborted) return;
          setProblem(isApiError(error) ? error.message : "Lost contact with the server; retrying…");
          await new Promise((resolve) => setTimeout(resolve, 3_000));
        }
      }
    };
    void poll();
    return () => {
      stopped = true;
      controller.abort();
    };
  }, [pending.request_id, onDecided]);

  return (
    <div className="callout callout-info pending-approval" role="status">
      <p>
        <strong>Approval requested.</strong> A policy requires a human to approve this read. An admin or
        approver (not you) decides on the Approvals page; the value appears here once approved.
      </p>
      <dl className="facts">
        <dt>Request ID</dt>
        <dd>
          <code>{pending.request_id}</code>
        </dd>
        <dt>Expires in</dt>
        <dd>
          <Countdown to={pending.expires_at} />
        </dd>
      </dl>
      <p className="pending-wait">
        <span className="spinner" aria-hidden="true" /> Waiting for a decision…
      </p>
      {problem ? <p className="field-error">{problem}</p> : null}
    </div>
  );
}
