import {
  type InputHTMLAttributes,
  type ReactNode,
  type Ref,
  type SelectHTMLAttributes,
  type TextareaHTMLAttributes,
  useEffect,
  useId,
  useRef,
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
/**
 * `autoFocus` without stealing focus: a form that mounts late (after a fetch) leaves focus where it
 * is when the user is already in another modal (the command palette opened meanwhile).
 */
function useGentleAutoFocus(enabled: boolean | undefined) {
  const ref = useRef<HTMLInputElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!enabled || !el) return;
    const modal = document.activeElement?.closest('[aria-modal="true"]');
    if (!modal || modal.contains(el)) el.focus();
  }, [enabled]);
  return ref;
}

export function Field({ label, hint, error, id, autoFocus, ref: outer, ...input }: FieldProps) {
  const generated = useId();
  const inputId = id ?? generated;
  const own = useGentleAutoFocus(autoFocus);
  const ref = (el: HTMLInputElement | null) => {
    own.current = el;
    if (typeof outer === "function") outer(el);
    else if (outer) outer.current = el;
  };
  return (
    <FieldShell inputId={inputId} label={label} hint={hint} error={error}>
      <input
        ref={ref}
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
