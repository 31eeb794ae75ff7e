import { type FormEvent, useState } from "react";
import { FormActions } from "../../../components/dialog";
import { TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";

interface Props {
  pending: boolean;
  error: unknown;
  onSubmit: (reason: string) => void;
  onCancel: () => void;
}

const MAX_REASON = 500;

export function DenyForm({ pending, error, onSubmit, onCancel }: Props) {
  const [reason, setReason] = useState("");
  const [touched, setTouched] = useState(false);
  const trimmed = reason.trim();
  const problem = !trimmed
    ? "Give a reason: the agent receives it."
    : trimmed.length > MAX_REASON
      ? `At most ${MAX_REASON} characters.`
      : null;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (!problem) onSubmit(trimmed);
  };
  return (
    <form className="form" onSubmit={submit} noValidate>
      <TextareaField
        label="Reason"
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        rows={3}
        maxLength={MAX_REASON}
        placeholder="Not during the change freeze; ask in #deploys."
        hint="Sent back to the requester with the denial, and kept in the audit log."
        error={touched ? problem : undefined}
        required
      />
      <FormError error={error} />
      <FormActions
        submitLabel="Deny request"
        pendingLabel="Denying…"
        pending={pending}
        danger
        onCancel={onCancel}
      />
    </form>
  );
}
