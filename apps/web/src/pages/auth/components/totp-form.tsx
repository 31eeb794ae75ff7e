import type { FormEvent } from "react";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";

interface Props {
  pending: boolean;
  error: unknown;
  onSubmit: (values: { code: string }) => void;
  onCancel: () => void;
}

export function TotpForm({ pending, error, onSubmit, onCancel }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const code = String(new FormData(event.currentTarget).get("code") ?? "").replace(/\s+/g, "");
    onSubmit({ code });
  };
  return (
    <form className="form" onSubmit={submit}>
      <Field
        label="Authentication code"
        name="code"
        autoComplete="one-time-code"
        spellCheck={false}
        required
        autoFocus
        maxLength={16}
        hint="The 6-digit code from your authenticator app, or one of your recovery codes."
      />
      <FormError error={error} />
      <button type="submit" className="button button-primary button-block" disabled={pending}>
        {pending ? "Verifying…" : "Verify"}
      </button>
      <button type="button" className="button button-ghost button-block" onClick={onCancel}>
        Start over
      </button>
    </form>
  );
}
