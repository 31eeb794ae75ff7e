import { type FormEvent, useState } from "react";
import { FormActions } from "../../../components/dialog";
import { TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { isValidTtl, TtlField } from "../../../components/ttl-field";
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
  const invalid = !isValidTtl(ttl);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (invalid) return;
    const why = reason.trim();
    onSubmit({ ttl: Number(ttl), ...(why ? { reason: why } : {}) });
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <TtlField
        value={ttl}
        onChange={setTtl}
        presets={PRESETS}
        hint={(n) =>
          revocation === "expiry"
            ? `The certificate is valid for ${formatDuration(n)} and cannot be revoked before that.`
            : `The credential is removed ${formatDuration(n)} from now, or when you revoke it.`
        }
      />
      <TextareaField
        label="Reason"
        value={reason}
        rows={2}
        maxLength={500}
        onChange={(e) => setReason(e.target.value)}
        hint="Recorded in the audit log, and shown to approvers when a policy requires approval."
      />
      <FormError error={error} />
      <FormActions
        submitLabel="Check out"
        pendingLabel="Issuing…"
        pending={pending}
        disabled={invalid}
        onCancel={onCancel}
      />
    </form>
  );
}
