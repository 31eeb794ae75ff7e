import type { FormEvent } from "react";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";

interface Props {
  submitLabel: string;
  danger?: boolean;
  pending: boolean;
  error: unknown;
  onSubmit: (password: string) => void;
  onCancel: () => void;
}

/** Sensitive account changes ask for the current password again. */
export function PasswordConfirmForm({ submitLabel, danger, pending, error, onSubmit, onCancel }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit(String(new FormData(event.currentTarget).get("password") ?? ""));
  };
  return (
    <form className="form" onSubmit={submit}>
      <Field
        label="Current password"
        name="password"
        type="password"
        autoComplete="current-password"
        required
        autoFocus
      />
      <FormError error={error} />
      <div className="button-row">
        <button
          type="submit"
          className={danger ? "button button-danger" : "button button-primary"}
          disabled={pending}
        >
          {pending ? "Working…" : submitLabel}
        </button>
        <button type="button" className="button button-ghost" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
