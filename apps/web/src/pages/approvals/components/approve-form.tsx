import { type FormEvent, useId, useState } from "react";
import { type ApprovalRequest, approvalTtlCap, defaultApprovalTtl } from "../../../api/approvals";
import { FormError } from "../../../components/form-error";
import { formatDuration } from "../../../lib/format";

interface Props {
  request: ApprovalRequest;
  pending: boolean;
  error: unknown;
  onApprove: (ttl: number) => void;
  onDeny: () => void;
  /** Replaces the approve button (the requester's own request: break-glass). */
  approveLabel?: string;
}

const MIN_TTL = 10;

/** TTL (capped by the rule's max_ttl) plus approve and deny, inline in a request card. */
export function ApproveForm({ request, pending, error, onApprove, onDeny, approveLabel = "Approve" }: Props) {
  const id = useId();
  const cap = approvalTtlCap(request);
  const [ttl, setTtl] = useState(String(defaultApprovalTtl(request)));
  const n = Number(ttl);
  const problem = !Number.isInteger(n)
    ? "Enter whole seconds."
    : n < MIN_TTL
      ? `At least ${MIN_TTL} seconds.`
      : n > cap
        ? request.max_ttl !== null
          ? `At most ${cap} seconds: the rule's max_ttl.`
          : `At most ${cap} seconds.`
        : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!problem) onApprove(n);
  };

  return (
    <form className="approve-form" onSubmit={submit} noValidate aria-label="Decision">
      <div className="approve-ttl field">
        <label htmlFor={`${id}-ttl`}>TTL (seconds)</label>
        <div className="ttl-input-row">
          <input
            id={`${id}-ttl`}
            type="number"
            inputMode="numeric"
            min={MIN_TTL}
            max={cap}
            step={1}
            value={ttl}
            onChange={(e) => setTtl(e.target.value)}
            aria-invalid={problem ? true : undefined}
            aria-describedby={`${id}-ttl-hint`}
          />
          <span className="ttl-human" aria-hidden="true">
            {problem ? "" : formatDuration(n)}
          </span>
        </div>
        <p id={`${id}-ttl-hint`} className={problem ? "field-error" : "field-hint"}>
          {problem ??
            (request.max_ttl !== null
              ? `Max ${formatDuration(request.max_ttl)} (${request.max_ttl} s) by policy.`
              : "Counted from approval.")}
        </p>
      </div>
      <div className="approve-actions">
        <button type="submit" className="button button-primary" disabled={pending || problem !== null}>
          {pending ? "Approving…" : approveLabel}
        </button>
        <button type="button" className="button button-danger-ghost" disabled={pending} onClick={onDeny}>
          Deny…
        </button>
      </div>
      <div className="approve-error">
        <FormError error={error} />
      </div>
    </form>
  );
}
