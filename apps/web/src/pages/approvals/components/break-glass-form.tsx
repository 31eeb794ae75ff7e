import { type FormEvent, useState } from "react";
import { FormActions } from "../../../components/dialog";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";

interface Props {
  pending: boolean;
  error: unknown;
  onSubmit: (input: { password: string; code?: string }) => void;
  onCancel: () => void;
}

/** A sole admin approving their own request: password (and TOTP code) again, loudly audited. */
export function BreakGlassForm({ pending, error, onSubmit, onCancel }: Props) {
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (password) onSubmit({ password, code: code.trim() || undefined });
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <p className="callout callout-danger">
        Break-glass is for a sole admin with no approver. It is recorded as <code>approval.break_glass</code>{" "}
        and logged as a warning.
      </p>
      <Field
        label="Your password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        required
      />
      <Field
        label="Authentication code"
        inputMode="numeric"
        autoComplete="one-time-code"
        value={code}
        onChange={(e) => setCode(e.target.value)}
        hint="Needed when you have two-factor authentication on."
      />
      <FormError error={error} />
      <FormActions
        submitLabel="Approve with break-glass"
        pendingLabel="Approving…"
        pending={pending}
        disabled={!password}
        danger
        onCancel={onCancel}
      />
    </form>
  );
}
