import { type ReactNode, useEffect, useId, useRef } from "react";
import { CloseIcon } from "./icons";

interface DialogProps {
  title: string;
  description?: ReactNode;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}

/**
 * A modal on the native <dialog> (focus trap, Escape, top layer and inert background for free).
 * Mount it only while open; unmounting closes it.
 */
export function Dialog({ title, description, onClose, children, wide }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();
  const onCloseRef = useRef(onClose);
  onCloseRef.current = onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);

  return (
    <dialog
      ref={ref}
      className={wide ? "dialog dialog-wide" : "dialog"}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onCancel={(event) => {
        // Escape: let React state decide, so the dialog and the state never disagree.
        event.preventDefault();
        onCloseRef.current();
      }}
    >
      <header className="dialog-header">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="icon-button" aria-label="Close dialog" onClick={onClose}>
          <CloseIcon />
        </button>
      </header>
      {description ? (
        <p id={descriptionId} className="dialog-description">
          {description}
        </p>
      ) : null}
      <div className="dialog-body">{children}</div>
    </dialog>
  );
}

/** Cancel + confirm buttons for the bottom of a dialog form. */
export function DialogActions({ children }: { children: ReactNode }) {
  return <div className="dialog-actions">{children}</div>;
}

interface FormActionsProps {
  submitLabel: string;
  /** The submit button's text while the request runs. */
  pendingLabel: string;
  pending: boolean;
  /** Blocks submitting for a reason of the form's own (invalid or missing input). */
  disabled?: boolean;
  danger?: boolean;
  onCancel: () => void;
}

/** Cancel + submit at the foot of a dialog form. */
export function FormActions({
  submitLabel,
  pendingLabel,
  pending,
  disabled,
  danger,
  onCancel,
}: FormActionsProps) {
  return (
    <DialogActions>
      <button type="button" className="button button-ghost" onClick={onCancel}>
        Cancel
      </button>
      <button
        type="submit"
        className={danger ? "button button-danger" : "button button-primary"}
        disabled={pending || disabled}
      >
        {pending ? pendingLabel : submitLabel}
      </button>
    </DialogActions>
  );
}
