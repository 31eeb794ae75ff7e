import { type FormEvent, useState } from "react";
import type { SetupInput } from "../../../api/setup";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";

interface Props {
  /** From the setup link's `?token=`; when missing the form asks for it. */
  setupToken: string | null;
  pending: boolean;
  error: unknown;
  onSubmit: (values: SetupInput) => void;
}

const text = (data: FormData, name: string) => String(data.get(name) ?? "");

export function SetupForm({ setupToken, pending, error, onSubmit }: Props) {
  const [mismatch, setMismatch] = useState(false);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const password = text(data, "password");
    const confirmed = password === text(data, "confirm");
    setMismatch(!confirmed);
    if (!confirmed) return;
    onSubmit({
      setup_token: setupToken ?? text(data, "setup_token").trim(),
      username: text(data, "username").trim(),
      display_name: text(data, "display_name").trim(),
      email: text(data, "email").trim(),
      password,
    });
  };
  return (
    <form className="form" onSubmit={submit}>
      {setupToken ? null : (
        <Field
          label="Setup token"
          name="setup_token"
          autoComplete="off"
          spellCheck={false}
          required
          maxLength={256}
          hint="Open the setup link the server printed when it started, or paste its token here."
        />
      )}
      <Field label="Username" name="username" autoComplete="username" required maxLength={64} />
      <Field label="Display name" name="display_name" autoComplete="name" required maxLength={128} />
      <Field label="Email" name="email" type="email" autoComplete="email" required maxLength={254} />
      <Field label="Password" name="password" type="password" autoComplete="new-password" required />
      <Field label="Confirm password" name="confirm" type="password" autoComplete="new-password" required />
      {mismatch ? (
        <FormError error={new Error("The two passwords do not match.")} />
      ) : (
        <FormError error={error} />
      )}
      <button type="submit" className="button button-primary button-block" disabled={pending}>
        {pending ? "Creating account…" : "Create admin account"}
      </button>
    </form>
  );
}
