import { type FormEvent, useState } from "react";
import type { FilterKind, FilterMode, FilterOverrides, FilterSettings } from "../../../api/gateway";
import { SelectField } from "../../../components/field";
import { FormError } from "../../../components/form-error";

export const FILTERS: readonly { kind: FilterKind; label: string; hint: string }[] = [
  {
    kind: "secrets",
    label: "Credential scrubber",
    hint: "API keys, tokens and private keys; the server's injected secrets are always redacted.",
  },
  {
    kind: "pii",
    label: "Personal data (PII)",
    hint: "Emails, phone numbers, cards (Luhn), IBANs, national ids, IP addresses.",
  },
  {
    kind: "injection",
    label: "Prompt injection",
    hint: "Instruction overrides, role manipulation, chat-template tokens, tool poisoning.",
  },
];

// PII types or injection families chosen through the API (the credentials filter has none).
const typesOf = (f: FilterSettings[FilterKind] | undefined): readonly string[] | undefined =>
  f && "types" in f ? f.types : undefined;

export const MODE_LABELS: Record<FilterMode, string> = {
  block: "Block",
  redact: "Redact",
  audit: "Audit only",
  off: "Off",
};

const MODES: readonly FilterMode[] = ["block", "redact", "audit", "off"];
const INHERIT = "inherit";

type Choice = FilterMode | typeof INHERIT;

interface Props {
  /** Global settings: every filter has a mode. Per server: the overrides, the rest inherit. */
  scope: "global" | "server";
  value: FilterOverrides;
  /** The global settings, shown on the "inherit" choice of a server's filters. */
  inherited?: FilterSettings;
  pending: boolean;
  error: unknown;
  submitLabel: string;
  onSubmit: (next: FilterOverrides) => void;
}

/** block | redact | audit | off per filter, for arguments and results alike. */
export function FilterSettingsForm({
  scope,
  value,
  inherited,
  pending,
  error,
  submitLabel,
  onSubmit,
}: Props) {
  const initial = () =>
    Object.fromEntries(FILTERS.map((f) => [f.kind, value[f.kind]?.mode ?? INHERIT])) as Record<
      FilterKind,
      Choice
    >;
  const [choice, setChoice] = useState(initial);
  const dirty = FILTERS.some((f) => choice[f.kind] !== (value[f.kind]?.mode ?? INHERIT));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const next: FilterOverrides = {};
    for (const f of FILTERS) {
      const c = choice[f.kind];
      if (c === INHERIT) continue;
      // A type subset chosen through the API is kept.
      const types = typesOf(value[f.kind]);
      // The kind's own type subset goes back with it; TypeScript cannot pair the two through f.kind.
      (next as Record<FilterKind, unknown>)[f.kind] = { mode: c, ...(types ? { types } : {}) };
    }
    onSubmit(next);
  };

  return (
    <form className="form" onSubmit={submit}>
      <div className="mcp-filter-grid">
        {FILTERS.map((f) => {
          const options = MODES.map((m) => ({ value: m as string, label: MODE_LABELS[m] }));
          if (scope === "server") {
            const global = inherited?.[f.kind].mode;
            options.unshift({
              value: INHERIT,
              label: global ? `Global (${MODE_LABELS[global].toLowerCase()})` : "Global",
            });
          }
          const types = typesOf(value[f.kind]);
          return (
            <SelectField
              key={f.kind}
              label={f.label}
              value={choice[f.kind]}
              onChange={(e) => setChoice((c) => ({ ...c, [f.kind]: e.target.value as Choice }))}
              options={options}
              hint={types ? `${f.hint} Only: ${types.join(", ")}.` : f.hint}
            />
          );
        })}
      </div>
      <FormError error={error} />
      <div className="button-row">
        <button type="submit" className="button button-primary button-small" disabled={pending || !dirty}>
          {pending ? "Saving…" : submitLabel}
        </button>
        {dirty ? (
          <button
            type="button"
            className="button button-ghost button-small"
            onClick={() => setChoice(initial)}
          >
            Undo changes
          </button>
        ) : null}
      </div>
    </form>
  );
}
