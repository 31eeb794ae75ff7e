import { useId } from "react";

interface Props {
  legend: string;
  available: readonly string[];
  value: readonly string[];
  onChange: (next: string[]) => void;
  hint?: string;
  error?: string;
}

/** A checkbox per policy; each is labelled by the policy name so tests can getByLabel(name). */
export function PolicyPicker({ legend, available, value, onChange, hint, error }: Props) {
  const id = useId();
  // Keep names that are assigned but no longer exist visible, so saving does not drop them silently.
  const names = [...new Set([...available, ...value])];
  const toggle = (name: string, on: boolean) =>
    onChange(on ? [...value, name] : value.filter((v) => v !== name));
  return (
    <fieldset
      className="fieldset"
      aria-describedby={
        [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined
      }
    >
      <legend>{legend}</legend>
      {names.length === 0 ? <p className="muted">No policies exist yet.</p> : null}
      <div className="checkbox-grid">
        {names.map((name) => (
          <label key={name} className="checkbox">
            <input
              type="checkbox"
              checked={value.includes(name)}
              onChange={(e) => toggle(name, e.target.checked)}
            />
            <span>{name}</span>
            {!available.includes(name) ? <span className="muted"> (missing)</span> : null}
          </label>
        ))}
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
