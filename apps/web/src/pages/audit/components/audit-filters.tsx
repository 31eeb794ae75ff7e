import { type FormEvent, useId, useState } from "react";
import { AUDIT_OUTCOMES, type AuditFilters, EMPTY_AUDIT_FILTERS } from "../../../api/audit";
import { Field, SelectField } from "../../../components/field";

// Suggestions only: the action filter takes any exact action name.
const KNOWN_ACTIONS = [
  "secret.write",
  "secret.reveal_value",
  "secret.read_metadata",
  "secret.list",
  "secret.metadata_update",
  "secret.rollback",
  "secret.delete",
  "secret.bulk_import",
  "lease.checkout",
  "lease.collect",
  "lease.renew",
  "lease.revoke",
  "lease.reap",
  "approval.request",
  "approval.approve",
  "approval.deny",
  "approval.expire",
  "approval.break_glass",
  "auth.login",
  "auth.logout",
  "audit.export",
  "audit.purge",
  "audit.verify",
  "admin.key_rotation",
];

interface Props {
  value: AuditFilters;
  onApply: (filters: AuditFilters) => void;
}

export function AuditFilterForm({ value, onApply }: Props) {
  const listId = useId();
  const [draft, setDraft] = useState<AuditFilters>(value);
  const set = (key: keyof AuditFilters) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [key]: e.target.value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onApply(draft);
  };
  return (
    <form className="audit-filters" onSubmit={submit} aria-label="Audit filters">
      <div className="audit-filter-grid">
        <Field
          label="Identity"
          value={draft.identity}
          onChange={set("identity")}
          placeholder="user:alice"
          spellCheck={false}
          autoComplete="off"
        />
        <Field
          label="Action"
          value={draft.action}
          onChange={set("action")}
          placeholder="secret.reveal_value"
          list={listId}
          spellCheck={false}
          autoComplete="off"
        />
        <Field
          label="Path prefix"
          value={draft.path}
          onChange={set("path")}
          placeholder="team/api"
          spellCheck={false}
          autoComplete="off"
        />
        <SelectField
          label="Outcome"
          value={draft.outcome}
          onChange={set("outcome")}
          options={[{ value: "", label: "Any" }, ...AUDIT_OUTCOMES.map((o) => ({ value: o, label: o }))]}
        />
        <Field label="Since" type="datetime-local" value={draft.since} onChange={set("since")} />
        <Field label="Until" type="datetime-local" value={draft.until} onChange={set("until")} />
      </div>
      <datalist id={listId}>
        {KNOWN_ACTIONS.map((a) => (
          <option key={a} value={a} />
        ))}
      </datalist>
      <div className="audit-filter-actions">
        <button type="submit" className="button button-primary">
          Apply filters
        </button>
        <button
          type="button"
          className="button button-ghost"
          onClick={() => {
            setDraft(EMPTY_AUDIT_FILTERS);
            onApply(EMPTY_AUDIT_FILTERS);
          }}
        >
          Reset
        </button>
      </div>
    </form>
  );
}
