import { Field, SelectField } from "../../../components/field";

export interface PatternFilter {
  secret: string;
  method: string;
  minConfidence: number;
  pinnedOnly: boolean;
}

export const EMPTY_FILTER: PatternFilter = { secret: "", method: "", minConfidence: 0, pinnedOnly: false };

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

const CONFIDENCE = [
  { value: "0", label: "Any" },
  { value: "0.5", label: "50% or more" },
  { value: "0.8", label: "80% or more" },
  { value: "0.95", label: "95% or more" },
];

interface Props {
  value: PatternFilter;
  /** Admins filter the full list; others must name the secret to load. */
  secretHint: string;
  onChange: (next: PatternFilter) => void;
}

export function PatternFilters({ value, secretHint, onChange }: Props) {
  return (
    <form
      className="form-inline pattern-filters"
      aria-label="Filter patterns"
      onSubmit={(e) => e.preventDefault()}
    >
      <Field
        label="Secret"
        type="search"
        value={value.secret}
        placeholder="prod/github-token"
        autoComplete="off"
        spellCheck={false}
        hint={secretHint}
        onChange={(e) => onChange({ ...value, secret: e.target.value })}
      />
      <SelectField
        label="Method"
        value={value.method}
        onChange={(e) => onChange({ ...value, method: e.target.value })}
        options={[{ value: "", label: "Any method" }, ...METHODS.map((m) => ({ value: m, label: m }))]}
      />
      <SelectField
        label="Confidence"
        value={String(value.minConfidence)}
        onChange={(e) => onChange({ ...value, minConfidence: Number(e.target.value) })}
        options={CONFIDENCE}
      />
      <label className="checkbox pattern-pinned-filter">
        <input
          type="checkbox"
          checked={value.pinnedOnly}
          onChange={(e) => onChange({ ...value, pinnedOnly: e.target.checked })}
        />
        <span>Pinned only</span>
      </label>
    </form>
  );
}
