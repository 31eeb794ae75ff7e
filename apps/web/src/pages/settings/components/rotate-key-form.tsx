import { type FormEvent, useId, useState } from "react";
import { generateMasterKey } from "../../../api/admin";
import { FormActions } from "../../../components/dialog";
import { Field } from "../../../components/field";
import { FormError } from "../../../components/form-error";

interface Props {
  currentFingerprint: string | undefined;
  pending: boolean;
  error: unknown;
  onSubmit: (newMasterKey: string) => void;
  onCancel: () => void;
}

const HEX_64 = /^[0-9a-fA-F]{64}$/;

/**
 * The new key is typed or generated here, sent once, and never shown again: the parent unmounts
 * this form on success, which drops the only copy in the page.
 */
export function RotateKeyForm({ currentFingerprint, pending, error, onSubmit, onCancel }: Props) {
  const confirmId = useId();
  const [key, setKey] = useState("");
  const [visible, setVisible] = useState(false);
  const [saved, setSaved] = useState(false);
  const [touched, setTouched] = useState(false);
  const trimmed = key.trim();
  const problem = !HEX_64.test(trimmed) ? "64 hex characters (32 bytes)." : null;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!problem && saved) onSubmit(trimmed);
  };

  return (
    <form className="form" onSubmit={submit} noValidate autoComplete="off">
      <p className="callout callout-warning">
        Every encrypted value is re-wrapped under the new key in one transaction. Afterwards the server must
        start with the new key in <code>GATEHOUSE_MASTER_KEY</code> (keep the old one in{" "}
        <code>GATEHOUSE_MASTER_KEY_PREVIOUS</code> until every replica has restarted).
      </p>
      {currentFingerprint ? (
        <p className="muted">
          Current fingerprint: <span className="mono">{currentFingerprint}</span>
        </p>
      ) : null}
      <Field
        label="New master key"
        type={visible ? "text" : "password"}
        className="mono"
        value={key}
        onChange={(e) => setKey(e.target.value)}
        spellCheck={false}
        autoComplete="off"
        hint="Hex, as GATEHOUSE_MASTER_KEY takes it. Generate one here or with: openssl rand -hex 32"
        error={touched && problem ? problem : undefined}
      />
      <div className="button-row">
        <button
          type="button"
          className="button button-secondary button-small"
          onClick={() => {
            setKey(generateMasterKey());
            setVisible(true);
          }}
        >
          Generate a key
        </button>
        <button
          type="button"
          className="button button-ghost button-small"
          onClick={() => setVisible((v) => !v)}
        >
          {visible ? "Hide key" : "Show key"}
        </button>
      </div>
      <label className="checkbox" htmlFor={confirmId}>
        <input id={confirmId} type="checkbox" checked={saved} onChange={(e) => setSaved(e.target.checked)} />
        <span>I have stored the new key where the server will read it. It is not shown again.</span>
      </label>
      <FormError error={error} />
      <FormActions
        submitLabel="Rotate master key"
        pendingLabel="Rotating…"
        pending={pending}
        disabled={!saved}
        danger
        onCancel={onCancel}
      />
    </form>
  );
}
