import type { FormEvent } from "react";
import type { TotpEnrollment as Enrollment } from "../../../api/me";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { SecretValue } from "../../../components/secret-value";

interface Props {
  enrollment: Enrollment;
  pending: boolean;
  error: unknown;
  onVerify: (code: string) => void;
  onCancel: () => void;
}

/** Step 2 of enrollment: scan (or type) the secret, then prove it with a code. */
export function TotpEnrollment({ enrollment, pending, error, onVerify, onCancel }: Props) {
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    onVerify(String(new FormData(event.currentTarget).get("code") ?? "").replace(/\s+/g, ""));
  };
  return (
    <div className="totp-enrollment">
      <img
        className="qr"
        src={enrollment.qr_data_uri}
        width={200}
        height={200}
        alt="QR code for your authenticator app"
      />
      <div className="stack">
        <p>
          Scan the QR code with an authenticator app (1Password, Aegis, Google Authenticator…), or enter the
          secret key by hand.
        </p>
        <SecretValue label="Secret key" value={enrollment.secret} />
        <p className="cell-sub">
          {enrollment.issuer} · {enrollment.account} · {enrollment.algorithm}, {enrollment.digits} digits,{" "}
          {enrollment.period} s
        </p>
        <form className="form" onSubmit={submit}>
          <Field
            label="Code from the app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            pattern="[0-9 ]{6,7}"
            maxLength={7}
            required
            autoFocus
          />
          <FormError error={error} />
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={pending}>
              {pending ? "Verifying…" : "Turn on two-factor"}
            </button>
            <button type="button" className="button button-ghost" onClick={onCancel}>
              Cancel
            </button>
          </div>
        </form>
      </div>
    </div>
  );
}
