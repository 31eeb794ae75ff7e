import { flagChangedRules, type Policy, type PolicyIssue, validatePolicy } from "@gatehouse/core/policy";
import { type FormEvent, useDeferredValue, useId, useMemo, useState } from "react";
import { DialogActions } from "../../../components/dialog";
import { FormError } from "../../../components/form-error";
import { lineOf, lineOfSyntaxError } from "./policy-yaml";

export type EditorMode =
  | { kind: "create"; takenNames: readonly string[] }
  | { kind: "edit"; name: string }
  | { kind: "view"; reason: string };

interface Props {
  mode: EditorMode;
  initialText: string;
  pending: boolean;
  error: unknown;
  onSubmit: (policy: Policy) => void;
  onCancel: () => void;
}

interface Checked {
  policy?: Policy;
  issues: (PolicyIssue & { line: number | null })[];
}

/** Runs core's validatePolicy (the server's own parser) plus the editor's rules about names. */
function check(text: string, mode: EditorMode): Checked {
  const { policy, errors } = validatePolicy(text);
  const issues: PolicyIssue[] = [...errors];
  if (policy && mode.kind === "edit" && policy.name !== mode.name) {
    issues.push({
      path: "name",
      message: `must stay "${mode.name}": to rename, create a new policy and delete this one`,
    });
  }
  if (policy && mode.kind === "create" && mode.takenNames.includes(policy.name)) {
    issues.push({ path: "name", message: `a policy named "${policy.name}" already exists` });
  }
  return {
    policy: issues.length === 0 ? policy : undefined,
    issues: issues.map((i) => ({ ...i, line: i.path ? lineOf(text, i.path) : lineOfSyntaxError(i.message) })),
  };
}

export function PolicyEditor({ mode, initialText, pending, error, onSubmit, onCancel }: Props) {
  const [text, setText] = useState(initialText);
  const deferred = useDeferredValue(text);
  const checked = useMemo(() => check(deferred, mode), [deferred, mode]);
  const changed = useMemo(() => (checked.policy ? flagChangedRules(checked.policy) : []), [checked.policy]);
  const id = useId();
  const readOnly = mode.kind === "view";
  const problems = `${id}-problems`;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    // Validate the latest text, not the deferred one: a fast typist could otherwise save stale errors.
    const latest = check(text, mode);
    if (latest.policy) onSubmit(latest.policy);
  };

  return (
    <form className="form" onSubmit={submit}>
      {readOnly ? (
        <div className="callout callout-info" role="note">
          {mode.reason}
        </div>
      ) : null}
      <div className="field">
        <label htmlFor={`${id}-yaml`}>Policy (YAML)</label>
        <textarea
          id={`${id}-yaml`}
          className="policy-yaml"
          rows={16}
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          readOnly={readOnly}
          value={text}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={!readOnly && checked.issues.length > 0 ? true : undefined}
          aria-describedby={readOnly ? undefined : problems}
        />
        <p className="field-hint">
          Capabilities: read, write, delete, list, lease, proxy, call, admin, deny. <code>*</code> matches
          inside one segment, <code>**</code> any number of whole segments; a matching deny wins.
        </p>
      </div>
      {readOnly ? null : (
        <div id={problems} className="validation" aria-live="polite">
          {checked.issues.length === 0 ? (
            <p className="validation-ok">Valid policy.</p>
          ) : (
            <ul className="validation-errors" aria-label="Validation errors">
              {checked.issues.map((issue) => (
                <li key={`${issue.path}:${issue.message}`}>
                  {issue.path ? <code>{issue.path}</code> : null} {issue.message}
                  {issue.line ? <span className="muted"> (line {issue.line})</span> : null}
                </li>
              ))}
            </ul>
          )}
          {changed.length > 0 ? (
            <ul className="validation-warnings" aria-label="Changed meanings">
              {changed.map((c) => (
                <li key={`${c.rule}:${c.glob}`}>
                  <code>rules[{c.rule}]</code> {c.message}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      )}
      <FormError error={error} />
      <DialogActions>
        <button type="button" className="button button-ghost" onClick={onCancel}>
          {readOnly ? "Close" : "Cancel"}
        </button>
        {readOnly ? null : (
          <button
            type="submit"
            className="button button-primary"
            disabled={pending || checked.issues.length > 0}
          >
            {pending ? "Saving…" : mode.kind === "create" ? "Create policy" : "Save policy"}
          </button>
        )}
      </DialogActions>
    </form>
  );
}
