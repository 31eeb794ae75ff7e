import { type FormEvent, useState } from "react";
import type { McpTool, ToolUpdate } from "../../../api/gateway";
import { FormActions } from "../../../components/dialog";
import { Field, TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

interface Props {
  server: string;
  tool: McpTool;
  pending: boolean;
  error: unknown;
  onSubmit: (update: ToolUpdate) => void;
  onCancel: () => void;
}

/** Rename a tool and replace its description (blank restores the upstream's). */
export function ToolForm({ server, tool, pending, error, onSubmit, onCancel }: Props) {
  const [rename, setRename] = useState(tool.rename ?? "");
  const [description, setDescription] = useState(tool.custom_description ?? "");
  const [renameError, setRenameError] = useState<string>();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const r = rename.trim();
    if (r !== "" && !TOOL_NAME.test(r)) {
      setRenameError("1–64 letters, digits, '_', '-' or '.'.");
      return;
    }
    setRenameError(undefined);
    onSubmit({
      rename: r === "" || r === tool.name ? null : r,
      description: description.trim() === "" ? null : description,
    });
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      <Field
        label="Exposed name"
        value={rename}
        onChange={(e) => setRename(e.target.value)}
        placeholder={tool.name}
        autoComplete="off"
        spellCheck={false}
        hint={`Agents call ${server}__${rename.trim() || tool.name}. Blank keeps the upstream's name. Policies keep matching mcp/${server}/${tool.name}.`}
        error={renameError}
      />
      <TextareaField
        label="Description for agents"
        value={description}
        onChange={(e) => setDescription(e.target.value)}
        rows={4}
        maxLength={4000}
        placeholder={tool.upstream_description ?? ""}
        hint="Blank uses the upstream's own description."
      />
      {tool.upstream_description ? (
        <div className="mcp-upstream-description">
          <p className="field-hint">The upstream's description:</p>
          <blockquote>{tool.upstream_description}</blockquote>
        </div>
      ) : null}
      <FormError error={error} />
      <FormActions submitLabel="Save tool" pendingLabel="Saving…" pending={pending} onCancel={onCancel} />
    </form>
  );
}
