import { type FormEvent, useState } from "react";
import { useChangePassword } from "../../../api/me";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { toast } from "../../../lib/toast";

export function PasswordCard() {
  const change = useChangePassword();
  const [mismatch, setMismatch] = useState(false);

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const next = String(data.get("new_password") ?? "");
    const same = next === String(data.get("confirm") ?? "");
    setMismatch(!same);
    if (!same) return;
    change.mutate(
      { current_password: String(data.get("current_password") ?? ""), new_password: next },
      {
        onSuccess: (result) => {
          form.reset();
          toast.success(
            result.sessions_ended > 0
              ? `Password changed; ${result.sessions_ended} other session(s) ended.`
              : "Password changed.",
          );
        },
      },
    );
  };

  return (
    <section className="card" aria-labelledby="password-title">
      <h2 className="card-title" id="password-title">
        Password
      </h2>
      <form className="form" onSubmit={submit}>
        <Field
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          required
        />
        <div className="form-row">
          <Field
            label="New password"
            name="new_password"
            type="password"
            autoComplete="new-password"
            required
            minLength={8}
            maxLength={1024}
          />
          <Field
            label="Confirm new password"
            name="confirm"
            type="password"
            autoComplete="new-password"
            required
          />
        </div>
        <p className="field-hint">Changing it signs you out everywhere else.</p>
        {mismatch ? (
          <FormError error={new Error("The two passwords do not match.")} />
        ) : (
          <FormError error={change.error} />
        )}
        <div>
          <button type="submit" className="button button-secondary" disabled={change.isPending}>
            {change.isPending ? "Changing…" : "Change password"}
          </button>
        </div>
      </form>
    </section>
  );
}
