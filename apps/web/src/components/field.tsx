import {
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useId,
} from "react";

interface Labelled {
  label: string;
  hint?: ReactNode;
  /** A validation message shown under the control and announced with it (aria-invalid). */
  error?: ReactNode;
}

function FieldShell({
  inputId,
  label,
  hint,
  error,
  children,
}: Labelled & { inputId: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={inputId}>{label}</label>
      {children}
      {hint ? (
        <p id={`${inputId}-hint`} className="field-hint">
          {hint}
        </p>
      ) : null}
      {error ? (
        <p id={`${inputId}-error`} className="field-error">
          {error}
        </p>
      ) : null}
    </div>
  );
}

function describedBy(inputId: string, { hint, error }: Labelled): string | undefined {
  const ids = [hint ? `${inputId}-hint` : "", error ? `${inputId}-error` : ""].filter(Boolean);
  return ids.length > 0 ? ids.join(" ") : undefined;
}

type FieldProps = InputHTMLAttributes<HTMLInputElement> & Labelled & { ref?: Ref<HTMLInputElement> };

/** A labelled input: the label is a real <label for>, so getByLabel and screen readers find it. */
export function Field({ label, hint, error, id, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  return (
    <FieldShell inputId={inputId} label={label} hint={hint} error={error}>
      <input
        id={inputId}
        aria-describedby={describedBy(inputId, { label, hint, error })}
        aria-invalid={error ? true : undefined}
        {...input}
      />
    </FieldShell>
  );
}

type TextareaProps = TextareaHTMLAttributes<HTMLTextAreaElement> & Labelled;

export function TextareaField({ label, hint, error, id, ...textarea }: TextareaProps) {
  const generated = useId();
  const inputId = id ?? generated;
  return (
    <FieldShell inputId={inputId} label={label} hint={hint} error={error}>
      <textarea
        id={inputId}
        aria-describedby={describedBy(inputId, { label, hint, error })}
        aria-invalid={error ? true : undefined}
        {...textarea}
      />
    </FieldShell>
  );
}

type SelectProps = SelectHTMLAttributes<HTMLSelectElement> &
  Labelled & { options: readonly { value: string; label: string }[] };

export function SelectField({ label, hint, error, id, options, ...select }: SelectProps) {
  const generated = useId();
  const inputId = id ?? generated;
  return (
    <FieldShell inputId={inputId} label={label} hint={hint} error={error}>
      <select
        id={inputId}
        aria-describedby={describedBy(inputId, { label, hint, error })}
        aria-invalid={error ? true : undefined}
        {...select}
      >
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </FieldShell>
  );
}
