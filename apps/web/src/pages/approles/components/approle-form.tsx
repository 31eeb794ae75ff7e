import { parseCidrList } from "@gatehouse/core/net";
import { type FormEvent, useState } from "react";
import type { AppRole } from "../../../api/approles";
import { FormActions } from "../../../components/dialog";
import { Field, SelectField, TextareaField } from "../../../components/field";
import { FormError } from "../../../components/form-error";
import { PolicyPicker } from "../../../components/policy-picker";
import { formatDuration } from "../../../lib/format";

export interface AppRoleFormValues {
  display_name: string;
  policies: string[];
  ip_allowlist: string[];
  token_ttl_seconds: number;
}

const TTL_PRESETS = [300, 900, 3600, 4 * 3600, 12 * 3600, 86_400];
const DEFAULT_TTL = 3600;

/** Splits the allowlist text (lines, commas or spaces) and checks it with the server's parser. */
export function checkAllowlist(text: string): { entries: string[]; error: string | null } {
  const entries = text.split(/[\s,]+/).filter((e) => e !== "");
  try {
    parseCidrList(entries, "ip_allowlist");
    return { entries, error: null };
  } catch (e) {
    return { entries, error: e instanceof Error ? e.message : String(e) };
  }
}

interface Props {
  role?: AppRole;
  availablePolicies: readonly string[];
  pending: boolean;
  error: unknown;
  onSubmit: (values: AppRoleFormValues) => void;
  onCancel: () => void;
}

export function AppRoleForm({ role, availablePolicies, pending, error, onSubmit, onCancel }: Props) {
  const [policies, setPolicies] = useState<string[]>(role?.policies ?? []);
  const [allowlist, setAllowlist] = useState((role?.ip_allowlist ?? []).join("\n"));
  const [touched, setTouched] = useState(false);
  const ttl = role?.token_ttl_seconds ?? DEFAULT_TTL;
  const ttlOptions = [...new Set([...TTL_PRESETS, ttl])]
    .sort((a, b) => a - b)
    .map((s) => ({ value: String(s), label: formatDuration(s) }));

  const cidrs = checkAllowlist(allowlist);
  const policyError = touched && policies.length === 0 ? "Pick at least one policy." : undefined;

  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    setTouched(true);
    if (cidrs.error || policies.length === 0) return;
    const data = new FormData(event.currentTarget);
    onSubmit({
      display_name: String(data.get("display_name") ?? "").trim(),
      policies,
      ip_allowlist: cidrs.entries,
      token_ttl_seconds: Number(data.get("token_ttl_seconds")),
    });
  };

  return (
    <form className="form" onSubmit={submit}>
      <Field
        label="Name"
        name="display_name"
        required
        maxLength={128}
        defaultValue={role?.display_name ?? ""}
        placeholder="ci-deploy-agent"
        hint="Shown in the audit log and the approval queue."
      />
      <PolicyPicker
        legend="Policies"
        available={availablePolicies}
        value={policies}
        onChange={(next) => {
          setTouched(true);
          setPolicies(next);
        }}
        hint="Changes apply to the agent's next request."
        error={policyError}
      />
      <TextareaField
        label="IP allowlist"
        name="ip_allowlist"
        rows={3}
        spellCheck={false}
        value={allowlist}
        onChange={(e) => setAllowlist(e.target.value)}
        placeholder={"10.0.0.0/8\n192.168.1.20"}
        hint="CIDRs or single addresses, one per line. Empty allows any address."
        error={cidrs.error ?? undefined}
      />
      <SelectField
        label="Token lifetime"
        name="token_ttl_seconds"
        defaultValue={String(ttl)}
        options={ttlOptions}
        hint="How long a login token lasts before the agent logs in again."
      />
      <FormError error={error} />
      <FormActions
        submitLabel={role ? "Save changes" : "Create AppRole"}
        pendingLabel="Saving…"
        pending={pending}
        onCancel={onCancel}
      />
    </form>
  );
}
