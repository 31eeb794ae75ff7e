import type { FormEvent } from "react";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";

export interface PasswordValues {
  username: string;
  password: string;
}

interface Props {
  pending: boolean;
  error: unknown;
  onSubmit: (values: PasswordValues) => void;
}

export function PasswordForm({ pending, error, onSubmit }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    onSubmit({
      username: String(data.get("username") ?? "").trim(),
      password: String(data.get("password") ?? ""),
    });
  };
  return (
    <form className="form" onSubmit={submit}>
      <Field label="Username" name="username" autoComplete="username" required autoFocus maxLength={128} />
      <Field label="Password" name="password" type="password" autoComplete="current-password" required />
      <FormError error={error} />
      <button type="submit" className="button button-primary button-block" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
