import { type FormEvent, useState } from "react";
import { MASKED, type McpServerView, type ServerInput, type Transport } from "../../../api/gateway";
import { FormActions } from "../../../components/dialog";
import { Field, SelectField, TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { formatPairs, linesOf, nameError, parsePairs } from "./text-maps";

export interface ServerFormResult {
  name: string;
  transport: Transport;
  input: ServerInput;
}

interface Props {
  /** The server being edited (env and header values masked); absent when registering. */
  existing?: McpServerView;
  pending: boolean;
  error: unknown;
  onSubmit: (result: ServerFormResult) => void;
  onCancel: () => void;
}

const TRANSPORTS = [
  { value: "stdio", label: "stdio (a local command)" },
  { value: "http", label: "HTTP (Streamable HTTP URL)" },
];

const REF_HINT = "Values may use {{secret:path}}: resolved from the vault when the server starts.";

/** Register or edit one upstream MCP server. */
export function ServerForm({ existing, pending, error, onSubmit, onCancel }: Props) {
  const editing = existing !== undefined;
  const [name, setName] = useState(existing?.name ?? "");
  const [transport, setTransport] = useState<Transport>(existing?.transport ?? "stdio");
  const [description, setDescription] = useState(existing?.description ?? "");
  const [command, setCommand] = useState(existing?.command ?? "");
  const [args, setArgs] = useState((existing?.args ?? []).join("\n"));
  const [env, setEnv] = useState(formatPairs(existing?.env, "="));
  const [url, setUrl] = useState(existing?.url ?? "");
  const [headers, setHeaders] = useState(formatPairs(existing?.headers, ":"));
  const [readOnly, setReadOnly] = useState((existing?.read_only_paths ?? []).join("\n"));
  const [network, setNetwork] = useState(existing?.network ?? true);
  const [timeout, setTimeoutText] = useState(String(existing?.timeout_seconds ?? 60));
  const [errors, setErrors] = useState<Record<string, string>>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const problems: Record<string, string> = {};
    const trimmedName = name.trim();
    if (!editing) {
      const bad = nameError(trimmedName);
      if (bad) problems.name = bad;
    }
    const seconds = Number(timeout);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > 600)
      problems.timeout = "A whole number of seconds between 1 and 600.";
    const input: ServerInput = {
      description: description.trim() === "" ? null : description.trim(),
      timeout_seconds: seconds,
    };
    if (transport === "stdio") {
      if (command.trim() === "") problems.command = "Required: the program to start.";
      const parsed = parsePairs(env, "=");
      if (parsed.bad.length) problems.env = `Not KEY=value: ${parsed.bad.join(", ")}`;
      Object.assign(input, {
        command: command.trim(),
        args: args.split("\n").filter((a) => a.trim() !== ""),
        env: parsed.map,
        read_only_paths: linesOf(readOnly),
        network,
      });
    } else {
      if (url.trim() === "") problems.url = "Required: the server's http(s) URL.";
      const parsed = parsePairs(headers, ":");
      if (parsed.bad.length) problems.headers = `Not Name: value: ${parsed.bad.join(", ")}`;
      Object.assign(input, { url: url.trim(), headers: parsed.map });
    }
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    onSubmit({ name: existing?.name ?? trimmedName, transport, input });
  };

  const keepHint = editing ? ` Values shown as ${MASKED} keep their stored value.` : "";

  return (
    <form className="form mcp-form" onSubmit={submit} noValidate>
      {editing ? null : (
        <div className="form-row">
          <Field
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            placeholder="github"
            autoComplete="off"
            spellCheck={false}
            hint="Tools appear to agents as <name>__<tool>; policies match mcp/<name>/<tool>."
            error={errors.name}
          />
          <SelectField
            label="Transport"
            value={transport}
            onChange={(e) => setTransport(e.target.value as Transport)}
            options={TRANSPORTS}
          />
        </div>
      )}
      <Field
        label="Description"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        maxLength={500}
        placeholder="What this server is for (optional)"
      />
      {transport === "stdio" ? (
        <>
          <Field
            label="Command"
            value={command}
            onChange={(e) => setCommand(e.target.value)}
            placeholder="npx"
            autoComplete="off"
            spellCheck={false}
            className="mono-input"
            hint="Started in the gateway's sandbox with only its own environment, a private HOME and working directory."
            error={errors.command}
          />
          <TextareaField
            label="Arguments"
            value={args}
            onChange={(e) => setArgs(e.target.value)}
            rows={3}
            spellCheck={false}
            className="mono-input"
            placeholder={"-y\n@modelcontextprotocol/server-github"}
            hint="One per line. Arguments are visible in ps: put secrets in the environment."
          />
          <TextareaField
            label="Environment"
            value={env}
            onChange={(e) => setEnv(e.target.value)}
            rows={4}
            spellCheck={false}
            className="mono-input"
            placeholder="GITHUB_TOKEN={{secret:ci/github-token}}"
            hint={`One KEY=value per line; PATH and HOME are provided. ${REF_HINT}${keepHint}`}
            error={errors.env}
          />
          <div className="form-row">
            <TextareaField
              label="Read-only paths"
              value={readOnly}
              onChange={(e) => setReadOnly(e.target.value)}
              rows={2}
              spellCheck={false}
              className="mono-input"
              placeholder="/opt/mcp/my-server"
              hint="Absolute paths the sandbox may read (the program's files), one per line."
            />
            <div className="field mcp-check">
              <label className="checkbox">
                <input type="checkbox" checked={network} onChange={(e) => setNetwork(e.target.checked)} />
                <span>Network access</span>
              </label>
              <p className="field-hint">Off: the sandbox gets no network (bubblewrap only).</p>
            </div>
          </div>
        </>
      ) : (
        <>
          <Field
            label="URL"
            type="url"
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="https://mcp.example.com/mcp"
            autoComplete="off"
            spellCheck={false}
            className="mono-input"
            error={errors.url}
          />
          <TextareaField
            label="Headers"
            value={headers}
            onChange={(e) => setHeaders(e.target.value)}
            rows={3}
            spellCheck={false}
            className="mono-input"
            placeholder="Authorization: Bearer {{secret:mcp/example-token}}"
            hint={`One Name: value per line. ${REF_HINT}${keepHint}`}
            error={errors.headers}
          />
        </>
      )}
      <Field
        label="Timeout (seconds)"
        type="number"
        inputMode="numeric"
        min={1}
        max={600}
        value={timeout}
        onChange={(e) => setTimeoutText(e.target.value)}
        hint="For a start and for each call."
        error={errors.timeout}
      />
      <FormError error={error} />
      <FormActions
        submitLabel={editing ? "Save changes" : "Register server"}
        pendingLabel="Saving…"
        pending={pending}
        onCancel={onCancel}
      />
    </form>
  );
}
