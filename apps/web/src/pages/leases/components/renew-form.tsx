import { type FormEvent, useState } from "react";
import { FormActions } from "../../../components/dialog";
import { FormError } from "../../../components/form-error";
import { isValidTtl, TtlField } from "../../../components/ttl-field";
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
  const invalid = !isValidTtl(ttl);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!invalid) onSubmit(Number(ttl));
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <TtlField
        value={ttl}
        onChange={setTtl}
        presets={PRESETS}
        hint={(n) => `The lease will end ${formatDuration(n)} from now.`}
      />
      <FormError error={error} />
      <FormActions
        submitLabel="Renew lease"
        pendingLabel="Renewing…"
        pending={pending}
        disabled={invalid}
        onCancel={onCancel}
      />
    </form>
  );
}
