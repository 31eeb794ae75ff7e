import { type FormEvent, useState } from "react";
import { MAX_LEASE_TTL, MIN_LEASE_TTL } from "../../../api/leases";
import { DialogActions } from "../../../components/dialog";
import { Field, TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { formatDuration } from "../../../lib/format";

interface Props {
  pending: boolean;
  error: unknown;
  revocation: "immediate" | "expiry";
  onSubmit: (input: { ttl: number; reason?: string }) => void;
  onCancel: () => void;
}

const PRESETS = [300, 900, 3_600, 14_400, 86_400];

/** TTL and reason for one checkout; the policy's max_ttl and approval rules apply on the server. */
export function CheckoutForm({ pending, error, revocation, onSubmit, onCancel }: Props) {
  const [ttl, setTtl] = useState("900");
  const [reason, setReason] = useState("");
  const n = Number(ttl);
  const invalid = !/^\d+$/.test(ttl) || n < MIN_LEASE_TTL || n > MAX_LEASE_TTL;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (invalid) return;
    const why = reason.trim();
    onSubmit({ ttl: n, ...(why ? { reason: why } : {}) });
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <Field
        label="TTL (seconds)"
        type="number"
        inputMode="numeric"
        min={MIN_LEASE_TTL}
        max={MAX_LEASE_TTL}
        value={ttl}
        onChange={(e) => setTtl(e.target.value)}
        hint={
          invalid
            ? undefined
            : revocation === "expiry"
              ? `The certificate is valid for ${formatDuration(n)} and cannot be revoked before that.`
              : `The credential is removed ${formatDuration(n)} from now, or when you revoke it.`
        }
        error={invalid ? `Between ${MIN_LEASE_TTL} and ${MAX_LEASE_TTL} seconds.` : undefined}
      />
      <div className="button-row">
        {PRESETS.map((p) => (
          <button
            key={p}
            type="button"
            className="button button-ghost button-small"
            aria-pressed={n === p}
            onClick={() => setTtl(String(p))}
          >
            {formatDuration(p)}
          </button>
        ))}
      </div>
      <TextareaField
        label="Reason"
        value={reason}
        rows={2}
        maxLength={500}
        onChange={(e) => setReason(e.target.value)}
        hint="Recorded in the audit log, and shown to approvers when a policy requires approval."
      />
      <FormError error={error} />
      <DialogActions>
        <button type="button" className="button button-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={pending || invalid}>
          {pending ? "Issuing…" : "Check out"}
        </button>
      </DialogActions>
    </form>
  );
}
