import { type FormEvent, useState } from "react";
import type { ConfigView, ProviderField, ProviderInfo, ProviderType } from "../../../api/dynamic";
import { FormActions } from "../../../components/dialog";
import { Field, SelectField, TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import {
  buildConfig,
  editable,
  type FormValues,
  fieldDescription,
  fieldLabel,
  initialValues,
  PROVIDER_ORDER,
  pathError,
  TLS_OPTIONS,
} from "./fields";

export interface ConfigFormResult {
  path: string;
  provider_type: ProviderType;
  config: Record<string, unknown>;
  /** SSH only: create the configuration with a freshly generated CA key instead of a pasted one. */
  generateCa: boolean;
}

interface Props {
  providers: readonly ProviderInfo[];
  /** The configuration being edited (sensitive fields masked); absent when creating. */
  existing?: ConfigView;
  pending: boolean;
  error: unknown;
  onSubmit: (result: ConfigFormResult) => void;
  onCancel: () => void;
}

const sortProviders = (list: readonly ProviderInfo[]) =>
  [...list].sort((a, b) => PROVIDER_ORDER.indexOf(a.type) - PROVIDER_ORDER.indexOf(b.type));

/** Create or edit one configuration; its fields come from the provider's spec. */
export function ConfigForm({ providers, existing, pending, error, onSubmit, onCancel }: Props) {
  const editing = existing !== undefined;
  const ordered = sortProviders(providers);
  const [type, setType] = useState<ProviderType>(existing?.provider_type ?? ordered[0]?.type ?? "postgresql");
  const provider = ordered.find((p) => p.type === type);
  const fields = provider?.fields ?? [];
  const [path, setPath] = useState(existing?.path ?? "");
  const [values, setValues] = useState<FormValues>(() => initialValues(fields, existing?.config));
  const [caMode, setCaMode] = useState<"generate" | "import">("generate");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const generateCa = type === "ssh-cert" && !editing && caMode === "generate";

  const switchType = (next: ProviderType) => {
    setType(next);
    setErrors({});
    setValues(initialValues(providers.find((p) => p.type === next)?.fields ?? []));
  };
  const set = (name: string, value: string | boolean) => setValues((v) => ({ ...v, [name]: value }));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const built = buildConfig(fields, values, { editing, skip: generateCa ? ["ca_private_key"] : [] });
    const problems: Record<string, string> = { ...built.errors };
    const badPath = editing ? undefined : pathError(path.trim());
    if (badPath) problems.path = badPath;
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    onSubmit({ path: existing?.path ?? path.trim(), provider_type: type, config: built.config, generateCa });
  };

  return (
    <form className="form dynamic-form" onSubmit={submit} noValidate>
      {editing ? null : (
        <div className="form-row">
          <Field
            label="Path"
            value={path}
            onChange={(e) => setPath(e.target.value)}
            placeholder="db/prod-readonly"
            autoComplete="off"
            spellCheck={false}
            hint="Agents check out credentials at POST /v1/dynamic/<path>/checkout; policies match this path."
            error={errors.path}
          />
          <SelectField
            label="Provider"
            value={type}
            onChange={(e) => switchType(e.target.value as ProviderType)}
            options={ordered.map((p) => ({ value: p.type, label: p.label }))}
          />
        </div>
      )}
      {type === "ssh-cert" && !editing ? (
        <fieldset className="fieldset">
          <legend>CA key</legend>
          <div className="radio-row">
            <label className="radio">
              <input
                type="radio"
                name="ca-mode"
                checked={caMode === "generate"}
                onChange={() => setCaMode("generate")}
              />
              Generate a new ed25519 CA
            </label>
            <label className="radio">
              <input
                type="radio"
                name="ca-mode"
                checked={caMode === "import"}
                onChange={() => setCaMode("import")}
              />
              Import an existing CA private key
            </label>
          </div>
          <p className="field-hint">
            {caMode === "generate"
              ? "The private key is created on the server and stays sealed there; you get the public key for your hosts."
              : "An unencrypted OpenSSH ed25519 private key. It is stored sealed and never shown again."}
          </p>
        </fieldset>
      ) : null}
      <div className="dynamic-fields">
        {editable(fields)
          .filter((f) => !(generateCa && f.name === "ca_private_key"))
          .map((f) => (
            <ProviderInput
              key={`${type}:${f.name}`}
              field={f}
              value={values[f.name]}
              editing={editing}
              error={errors[f.name]}
              onChange={(v) => set(f.name, v)}
            />
          ))}
      </div>
      <FormError error={error} />
      <FormActions
        submitLabel={
          editing ? "Save changes" : generateCa ? "Create and generate CA" : "Create configuration"
        }
        pendingLabel="Saving…"
        pending={pending}
        disabled={!provider}
        onCancel={onCancel}
      />
    </form>
  );
}

function ProviderInput({
  field: f,
  value,
  editing,
  error,
  onChange,
}: {
  field: ProviderField;
  value: string | boolean | undefined;
  editing: boolean;
  error?: string;
  onChange: (value: string | boolean) => void;
}) {
  const label = fieldLabel(f.name);
  const text = typeof value === "string" ? value : "";
  const defaultText =
    Array.isArray(f.default) && f.default.length > 0
      ? ` Default: ${f.default.join(", ")}.`
      : f.default !== null && f.default !== undefined && !Array.isArray(f.default) && f.default !== ""
        ? ` Default: ${String(f.default)}.`
        : "";
  const keepHint = f.sensitive && editing ? " Stored and never shown: leave blank to keep it." : "";
  const listHint = f.type === "list" ? " Comma-separated." : "";
  const hint = `${fieldDescription(f)}.${listHint}${defaultText}${keepHint}`.replace(/\.\./g, ".");
  const optional = !f.required || (f.sensitive && editing);

  if (f.type === "boolean") {
    return (
      <div className="field dynamic-check">
        <label className="checkbox">
          <input type="checkbox" checked={value === true} onChange={(e) => onChange(e.target.checked)} />
          <span>{label}</span>
        </label>
        <p className="field-hint">{fieldDescription(f)}.</p>
      </div>
    );
  }
  if (f.type === "tls") {
    return (
      <SelectField
        label={label}
        value={text || "false"}
        onChange={(e) => onChange(e.target.value)}
        options={TLS_OPTIONS}
      />
    );
  }
  if (f.type === "text") {
    return (
      <div className="dynamic-wide">
        <TextareaField
          label={label}
          value={text}
          rows={f.sensitive ? 6 : 4}
          spellCheck={false}
          autoComplete="off"
          className={f.sensitive ? "sensitive-text" : undefined}
          placeholder={f.sensitive && editing ? "•••••••• (stored)" : undefined}
          onChange={(e) => onChange(e.target.value)}
          required={!optional}
          hint={hint}
          error={error}
        />
      </div>
    );
  }
  return (
    <Field
      label={label}
      value={text}
      type={f.sensitive ? "password" : f.type === "integer" ? "number" : "text"}
      inputMode={f.type === "integer" ? "numeric" : undefined}
      autoComplete={f.sensitive ? "new-password" : "off"}
      spellCheck={false}
      placeholder={f.sensitive && editing ? "•••••••• (stored)" : undefined}
      onChange={(e) => onChange(e.target.value)}
      required={!optional}
      hint={hint}
      error={error}
    />
  );
}
