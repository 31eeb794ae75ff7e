import { validateSecretPath } from "@gatehouse/core/paths";
import { type FormEvent, useId, useState } from "react";
import { isSecurityKey, type Metadata } from "../../../api/secrets";
import { Badge } from "../../../components/badge";
import { FormActions } from "../../../components/dialog";
import { Field, TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { LockIcon } from "../../../components/vault-icons";

export interface SecretFormValues {
  path: string;
  /** Empty when editing means "keep the current value". */
  value: string;
  metadata: Metadata;
}

interface Row {
  id: number;
  key: string;
  value: string;
}

interface Props {
  mode: "create" | "edit";
  initialPath?: string;
  initialMetadata?: Metadata;
  pending: boolean;
  error: unknown;
  onSubmit: (values: SecretFormValues) => void;
  onCancel: () => void;
}

const KEY = /^[a-z0-9_]{1,64}$/;
const MAX_KEYS = 64;

let nextRowId = 1;
const toRows = (metadata: Metadata): Row[] =>
  Object.entries(metadata).map(([key, value]) => ({ id: nextRowId++, key, value }));

interface Problems {
  path?: string;
  value?: string;
  rows: Record<number, string>;
  metadata?: string;
}

function check(mode: Props["mode"], path: string, value: string, rows: Row[]): Problems {
  const problems: Problems = { rows: {} };
  if (mode === "create") {
    try {
      validateSecretPath(path.trim());
    } catch (e) {
      problems.path = (e as Error).message.replace(/^path: /, "");
    }
    if (value === "") problems.value = "Enter the secret's value.";
  }
  const seen = new Set<string>();
  for (const row of rows) {
    const key = row.key.trim();
    if (!key && !row.value) continue;
    if (!KEY.test(key)) problems.rows[row.id] = "Keys use a–z, 0–9 and _ (at most 64).";
    else if (seen.has(key)) problems.rows[row.id] = `“${key}” appears twice.`;
    else if (row.value.length > 1024) problems.rows[row.id] = "Values are at most 1024 characters.";
    seen.add(key);
  }
  if (seen.size > MAX_KEYS) problems.metadata = `At most ${MAX_KEYS} metadata keys.`;
  return problems;
}

const hasProblems = (p: Problems) =>
  Boolean(p.path || p.value || p.metadata) || Object.keys(p.rows).length > 0;

/** Path, value and metadata rows. Security keys are marked: changing them needs admin on the path. */
export function SecretForm({
  mode,
  initialPath = "",
  initialMetadata = {},
  pending,
  error,
  onSubmit,
  onCancel,
}: Props) {
  const id = useId();
  const [path, setPath] = useState(initialPath);
  const [value, setValue] = useState("");
  const [rows, setRows] = useState<Row[]>(() => toRows(initialMetadata));
  const [problems, setProblems] = useState<Problems | null>(null);
  const anySecurity = rows.some((r) => isSecurityKey(r.key.trim()));

  const update = (rowId: number, patch: Partial<Row>) =>
    setRows((current) => current.map((r) => (r.id === rowId ? { ...r, ...patch } : r)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found = check(mode, path, value, rows);
    setProblems(found);
    if (hasProblems(found)) return;
    const metadata: Metadata = {};
    for (const row of rows) if (row.key.trim()) metadata[row.key.trim()] = row.value;
    onSubmit({ path: path.trim(), value, metadata });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {mode === "create" ? (
        <Field
          label="Path"
          value={path}
          onChange={(e) => setPath(e.target.value)}
          placeholder="team/service/api-key"
          autoComplete="off"
          spellCheck={false}
          required
          hint="Segments of letters, digits, _ and -, joined by /."
          error={problems?.path}
        />
      ) : null}
      <TextareaField
        label={mode === "create" ? "Value" : "New value"}
        value={value}
        onChange={(e) => setValue(e.target.value)}
        rows={3}
        autoComplete="off"
        spellCheck={false}
        required={mode === "create"}
        hint={
          mode === "edit"
            ? "Leave empty to keep the current value and change only the metadata. Either way a new version is written."
            : "Stored encrypted; shown again only after a confirmed reveal."
        }
        error={problems?.value}
      />
      <fieldset className="fieldset metadata-editor">
        <legend>Metadata</legend>
        {rows.length === 0 ? (
          <p className="muted">
            No metadata. Keys like <code>owner</code> or <code>rotation</code> help others.
          </p>
        ) : null}
        {rows.map((row, i) => {
          const security = isSecurityKey(row.key.trim());
          const rowError = problems?.rows[row.id];
          return (
            <div key={row.id} className={security ? "metadata-edit-row is-security" : "metadata-edit-row"}>
              <div className="metadata-edit-inputs">
                <label className="visually-hidden" htmlFor={`${id}-key-${row.id}`}>
                  Metadata key {i + 1}
                </label>
                <input
                  id={`${id}-key-${row.id}`}
                  className="input mono"
                  placeholder="key"
                  value={row.key}
                  onChange={(e) => update(row.id, { key: e.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={rowError ? true : undefined}
                />
                <label className="visually-hidden" htmlFor={`${id}-value-${row.id}`}>
                  Metadata value {i + 1}
                </label>
                <input
                  id={`${id}-value-${row.id}`}
                  className="input"
                  placeholder="value"
                  value={row.value}
                  onChange={(e) => update(row.id, { value: e.target.value })}
                  autoComplete="off"
                  spellCheck={false}
                />
                <button
                  type="button"
                  className="button button-danger-ghost button-small"
                  aria-label={`Remove metadata row ${i + 1}`}
                  onClick={() => setRows((current) => current.filter((r) => r.id !== row.id))}
                >
                  Remove
                </button>
              </div>
              {security ? (
                <Badge tone="warning">
                  <LockIcon />
                  security
                </Badge>
              ) : null}
              {rowError ? <p className="field-error">{rowError}</p> : null}
            </div>
          );
        })}
        <div>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => setRows((current) => [...current, { id: nextRowId++, key: "", value: "" }])}
          >
            Add metadata
          </button>
        </div>
        {problems?.metadata ? <p className="field-error">{problems.metadata}</p> : null}
        {anySecurity ? (
          <p className="callout callout-warning">
            Security keys decide where the proxy may send this secret. Adding, changing or removing them needs
            <strong> admin</strong> on this path, and is audited.
          </p>
        ) : null}
      </fieldset>
      <FormError error={error} />
      <FormActions
        submitLabel={mode === "create" ? "Create secret" : "Save new version"}
        pendingLabel="Saving…"
        pending={pending}
        onCancel={onCancel}
      />
    </form>
  );
}
