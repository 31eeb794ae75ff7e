import { useId } from "react";
import { CopyButton } from "./copy-button";

/** A value shown once (secret_id, token): a labelled read-only input plus a copy button. */
export function SecretValue({
  label,
  value,
  multiline,
}: {
  label: string;
  value: string;
  multiline?: boolean;
}) {
  const id = useId();
  return (
    <div className="field secret-value">
      <label htmlFor={id}>{label}</label>
      <div className={multiline ? "secret-value-row secret-value-stacked" : "secret-value-row"}>
        {multiline ? (
          <textarea
            id={id}
            readOnly
            value={value}
            rows={11}
            spellCheck={false}
            onFocus={(e) => e.target.select()}
          />
        ) : (
          <input id={id} readOnly value={value} spellCheck={false} onFocus={(e) => e.target.select()} />
        )}
        <CopyButton value={value} what={label.toLowerCase()} />
      </div>
    </div>
  );
}
