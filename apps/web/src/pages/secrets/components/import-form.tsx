import { type ChangeEvent, type FormEvent, useId, useState } from "react";
import { Badge } from "../../../components/badge";
import { DialogActions } from "../../../components/dialog";
import { Field, TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";

export interface ImportValues {
  prefix: string;
  envText: string;
}

interface Props {
  existingPaths: ReadonlySet<string>;
  /** Paths the last dry run would write; null until one ran for the current input. */
  preview: readonly string[] | null;
  pending: "preview" | "import" | null;
  error: unknown;
  onPreview: (values: ImportValues) => void;
  onImport: (values: ImportValues) => void;
  /** The input changed, so an earlier preview no longer applies. */
  onEdited: () => void;
  onCancel: () => void;
}

/** `.env` text (pasted or loaded from a file) under a prefix: a dry run first, then the import. */
export function ImportForm({
  existingPaths,
  preview,
  pending,
  error,
  onPreview,
  onImport,
  onEdited,
  onCancel,
}: Props) {
  const fileId = useId();
  const [prefix, setPrefix] = useState("");
  const [envText, setEnvText] = useState("");
  const [fileName, setFileName] = useState<string | null>(null);
  const values = { prefix: prefix.trim(), envText };
  const overwrites = preview?.filter((p) => existingPaths.has(p)).length ?? 0;

  const loadFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    if (!file) return;
    setEnvText(await file.text());
    setFileName(file.name);
    onEdited();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!envText.trim()) return;
    if (preview) onImport(values);
    else onPreview(values);
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <Field
        label="Prefix"
        value={prefix}
        onChange={(e) => {
          setPrefix(e.target.value);
          onEdited();
        }}
        placeholder="team/service"
        autoComplete="off"
        spellCheck={false}
        hint="Each KEY becomes a secret under this prefix: DATABASE_URL → prefix/database-url."
      />
      <div className="field">
        <label htmlFor={fileId}>.env file</label>
        <input
          id={fileId}
          type="file"
          accept=".env,text/plain,*"
          className="file-input"
          onChange={loadFile}
        />
        {fileName ? (
          <p className="field-hint">Loaded {fileName}; you can still edit the text below.</p>
        ) : null}
      </div>
      <TextareaField
        label=".env text"
        value={envText}
        onChange={(e) => {
          setEnvText(e.target.value);
          onEdited();
        }}
        rows={8}
        placeholder={"DATABASE_URL=postgres://…\nSTRIPE_KEY=sk_live_…"}
        spellCheck={false}
        autoComplete="off"
      />
      {preview ? (
        <section className="import-preview" aria-label="Import preview">
          <p>
            <strong>Dry run:</strong> {preview.length} {preview.length === 1 ? "secret" : "secrets"} would be
            written{overwrites > 0 ? `, ${overwrites} of them as a new version of an existing secret` : ""}.
            Nothing has been saved yet.
          </p>
          <ul className="import-list">
            {preview.map((p) => (
              <li key={p}>
                <span className="mono">{p}</span>
                {existingPaths.has(p) ? (
                  <Badge tone="warning">new version</Badge>
                ) : (
                  <Badge tone="success">new</Badge>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      <FormError error={error} />
      <DialogActions>
        <button type="button" className="button button-ghost" onClick={onCancel}>
          Cancel
        </button>
        {preview ? (
          <button
            type="button"
            className="button button-secondary"
            disabled={pending !== null}
            onClick={() => onPreview(values)}
          >
            Preview again
          </button>
        ) : null}
        <button
          type="submit"
          className="button button-primary"
          disabled={pending !== null || !envText.trim()}
        >
          {pending === "preview"
            ? "Checking…"
            : pending === "import"
              ? "Importing…"
              : preview
                ? `Import ${preview.length} ${preview.length === 1 ? "secret" : "secrets"}`
                : "Preview import"}
        </button>
      </DialogActions>
    </form>
  );
}
