import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import {
  type TotpEnrollment as Enrollment,
  totpStatusQuery,
  useDisableTotp,
  useRegenerateRecoveryCodes,
  useStartTotpSetup,
  useVerifyTotp,
} from "../../../api/me";
import { Badge } from "../../../components/badge";
import { FormError } from "../../../components/form-error";
import { QueryState } from "../../../components/query-state";
import { toast } from "../../../lib/toast";
import { PasswordConfirmForm } from "./password-confirm-form";
import { RecoveryCodes } from "./recovery-codes";
import { TotpEnrollment } from "./totp-enrollment";

type Step =
  | { kind: "idle" }
  | { kind: "enrolling"; enrollment: Enrollment }
  | { kind: "codes"; codes: string[] }
  | { kind: "disable" }
  | { kind: "regenerate" };

export function TotpCard() {
  const status = useQuery(totpStatusQuery());
  const [step, setStep] = useState<Step>({ kind: "idle" });
  const setup = useStartTotpSetup();
  const verify = useVerifyTotp();
  const disable = useDisableTotp();
  const regenerate = useRegenerateRecoveryCodes();

  const back = () => {
    for (const m of [setup, verify, disable, regenerate]) m.reset();
    setStep({ kind: "idle" });
  };

  return (
    <section className="card" aria-labelledby="totp-title">
      <div className="card-header">
        <h2 className="card-title" id="totp-title">
          Two-factor authentication
        </h2>
        {status.data ? (
          <Badge tone={status.data.enabled ? "success" : "warning"}>
            {status.data.enabled ? "On" : "Off"}
          </Badge>
        ) : null}
      </div>
      {step.kind === "codes" ? (
        <RecoveryCodes codes={step.codes} onDone={back} />
      ) : step.kind === "enrolling" ? (
        <TotpEnrollment
          enrollment={step.enrollment}
          pending={verify.isPending}
          error={verify.error}
          onCancel={back}
          onVerify={(code) =>
            verify.mutate(code, {
              onSuccess: (result) => {
                toast.success("Two-factor authentication is on.");
                setStep({ kind: "codes", codes: result.recovery_codes });
              },
            })
          }
        />
      ) : (
        <QueryState query={status} what="two-factor status">
          {(totp) =>
            step.kind === "disable" ? (
              <div className="stack">
                <p>Turning two-factor off lets anyone with your password sign in as you.</p>
                <PasswordConfirmForm
                  submitLabel="Turn off two-factor"
                  danger
                  pending={disable.isPending}
                  error={disable.error}
                  onCancel={back}
                  onSubmit={(password) =>
                    disable.mutate(password, {
                      onSuccess: () => {
                        toast.success("Two-factor authentication is off.");
                        back();
                      },
                    })
                  }
                />
              </div>
            ) : step.kind === "regenerate" ? (
              <div className="stack">
                <p>New codes replace every recovery code you have now.</p>
                <PasswordConfirmForm
                  submitLabel="Make new recovery codes"
                  pending={regenerate.isPending}
                  error={regenerate.error}
                  onCancel={back}
                  onSubmit={(password) =>
                    regenerate.mutate(password, {
                      onSuccess: (result) => setStep({ kind: "codes", codes: result.recovery_codes }),
                    })
                  }
                />
              </div>
            ) : totp.enabled ? (
              <div className="stack">
                <p>
                  Signing in asks for a code from your authenticator app. You have{" "}
                  <strong>{totp.recovery_codes_remaining}</strong> unused recovery codes.
                </p>
                <div className="button-row">
                  <button
                    type="button"
                    className="button button-secondary"
                    onClick={() => setStep({ kind: "regenerate" })}
                  >
                    Regenerate recovery codes
                  </button>
                  <button
                    type="button"
                    className="button button-danger-ghost"
                    onClick={() => setStep({ kind: "disable" })}
                  >
                    Turn off two-factor
                  </button>
                </div>
              </div>
            ) : (
              <div className="stack">
                <p>
                  Protect your account with a time-based code from an authenticator app, on top of your
                  password.
                </p>
                <FormError error={setup.error} />
                <div>
                  <button
                    type="button"
                    className="button button-primary"
                    disabled={setup.isPending}
                    onClick={() =>
                      setup.mutate(undefined, {
                        onSuccess: (enrollment) => setStep({ kind: "enrolling", enrollment }),
                      })
                    }
                  >
                    {setup.isPending ? "Starting…" : "Set up two-factor"}
                  </button>
                </div>
              </div>
            )
          }
        </QueryState>
      )}
    </section>
  );
}
