import { useState } from "react";
import { ConfirmDialog } from "../../../components/confirm-dialog";
import { FormError } from "../../../components/form-error";
import { SecretValue } from "../../../components/secret-value";
import { PendingApproval } from "./pending-approval";
import { REVEAL_HIDE_MS, type RevealState } from "./use-reveal";

interface Props {
  path: string;
  /** Set when showing an older version. */
  version?: number;
  state: RevealState;
  onReveal: () => void;
  onHide: () => void;
  onDecided: Parameters<typeof PendingApproval>[0]["onDecided"];
}

/** "Reveal value" behind a confirmation, then the value (or the approval it waits for). */
export function RevealPanel({ path, version, state, onReveal, onHide, onDecided }: Props) {
  const [confirming, setConfirming] = useState(false);
  const what = version === undefined ? "value" : `version ${version}`;

  const confirm = (
    <ConfirmDialog
      title={version === undefined ? `Reveal the value of ${path}?` : `Reveal version ${version} of ${path}?`}
      confirmLabel={version === undefined ? "Reveal value" : `Reveal version ${version}`}
      pending={false}
      error={null}
      onConfirm={() => {
        setConfirming(false);
        onReveal();
      }}
      onClose={() => setConfirming(false)}
    >
      <p>
        The secret will be shown in plain text on this screen. Make sure no one is looking over your shoulder.
      </p>
      <p className="muted">
        Revealing is recorded in the audit log under your name. If a policy requires approval, a request is
        sent to the approvers instead.
      </p>
    </ConfirmDialog>
  );

  if (state.kind === "value") {
    const multiline = state.value.value.includes("\n") || state.value.value.length > 80;
    return (
      <div className="reveal stack">
        <SecretValue
          label={version === undefined ? "Value" : `Value of version ${version}`}
          value={state.value.value}
          multiline={multiline}
        />
        <div className="reveal-footer">
          <span className="field-hint">
            Version {state.value.version}. Hidden again after {REVEAL_HIDE_MS / 60_000} minutes.
          </span>
          <button type="button" className="button button-secondary button-small" onClick={onHide}>
            Hide {what}
          </button>
        </div>
      </div>
    );
  }

  return (
    <div className="reveal stack">
      {state.kind === "pending" ? <PendingApproval pending={state.pending} onDecided={onDecided} /> : null}
      {state.kind === "denied" ? (
        <div className="callout callout-danger" role="alert">
          <strong>Request denied.</strong> {state.reason ? `Reason: ${state.reason}` : "No reason given."}
        </div>
      ) : null}
      {state.kind === "expired" ? (
        <div className="callout callout-warning" role="alert">
          The approval request expired before anyone decided.
        </div>
      ) : null}
      {state.kind === "error" ? <FormError error={state.error} /> : null}
      {state.kind !== "pending" ? (
        <div className="reveal-masked">
          <span className="masked-value" aria-hidden="true">
            ••••••••••••••••
          </span>
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={state.kind === "loading"}
            onClick={() => setConfirming(true)}
          >
            {state.kind === "loading"
              ? "Revealing…"
              : version === undefined
                ? "Reveal value"
                : `Reveal version ${version}`}
          </button>
        </div>
      ) : null}
      {confirming ? confirm : null}
    </div>
  );
}
