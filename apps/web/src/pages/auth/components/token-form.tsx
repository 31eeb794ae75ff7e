import type { FormEvent } from "react";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";

interface Props {
  pending: boolean;
  error: unknown;
  onSubmit: (values: { token: string }) => void;
}

export function TokenForm({ pending, error, onSubmit }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onSubmit({ token: String(new FormData(event.currentTarget).get("token") ?? "").trim() });
  };
  return (
    <form className="form" onSubmit={submit}>
      <Field
        label="Access token"
        name="token"
        type="password"
        autoComplete="off"
        spellCheck={false}
        required
        hint="A personal access token created under Me. Your two-factor code is still required."
      />
      <FormError error={error} />
      <button type="submit" className="button button-primary button-block" disabled={pending}>
        {pending ? "Signing in…" : "Sign in with token"}
      </button>
    </form>
  );
}
