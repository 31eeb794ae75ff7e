import { type FormEvent, useState } from "react";
import { MAX_LEASE_TTL, MIN_LEASE_TTL } from "../../../api/leases";
import { DialogActions } from "../../../components/dialog";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { formatDuration } from "../../../lib/format";

interface Props {
  initialTtl: number;
  pending: boolean;
  error: unknown;
  onSubmit: (ttl: number) => void;
  onCancel: () => void;
}

const PRESETS = [300, 900, 3_600, 14_400];

/** A new TTL, counted from now (the policy's max_ttl still applies on the server). */
export function RenewForm({ initialTtl, pending, error, onSubmit, onCancel }: Props) {
  const [ttl, setTtl] = useState(String(initialTtl));
  const n = Number(ttl);
  const invalid = !Number.isInteger(n) || n < MIN_LEASE_TTL || n > MAX_LEASE_TTL;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!invalid) onSubmit(n);
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
        hint={invalid ? undefined : `The lease will end ${formatDuration(n)} from now.`}
        error={invalid ? `Between ${MIN_LEASE_TTL} and ${MAX_LEASE_TTL} seconds.` : undefined}
      />
      <div className="button-row">
        {PRESETS.map((p) => (
          <button
            key={p}
            type="button"
            className="button button-ghost button-small"
            onClick={() => setTtl(String(p))}
          >
            {formatDuration(p)}
          </button>
        ))}
      </div>
      <FormError error={error} />
      <DialogActions>
        <button type="button" className="button button-ghost" onClick={onCancel}>
          Cancel
        </button>
        <button type="submit" className="button button-primary" disabled={pending || invalid}>
          {pending ? "Renewing…" : "Renew lease"}
        </button>
      </DialogActions>
    </form>
  );
}
