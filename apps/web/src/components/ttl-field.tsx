import { MAX_LEASE_TTL, MIN_LEASE_TTL } from "../api/leases";
import { formatDuration } from "../lib/format";
import { Field } from "./field";

/** A whole number of seconds within the server's lease bounds. */
export function isValidTtl(value: string): boolean {
  const n = Number(value);
  return /^\d+$/.test(value) && n >= MIN_LEASE_TTL && n <= MAX_LEASE_TTL;
}

interface Props {
  value: string;
  onChange: (value: string) => void;
  /** Quick picks, in seconds, shown as buttons under the input. */
  presets: readonly number[];
  /** What a valid TTL will mean, given in seconds. */
  hint: (seconds: number) => string;
}

/** A lease TTL in seconds, with preset buttons; the out-of-bounds message is its error. */
export function TtlField({ value, onChange, presets, hint }: Props) {
  const n = Number(value);
  const valid = isValidTtl(value);
  return (
    <>
      <Field
        label="TTL (seconds)"
        type="number"
        inputMode="numeric"
        min={MIN_LEASE_TTL}
        max={MAX_LEASE_TTL}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        hint={valid ? hint(n) : undefined}
        error={valid ? undefined : `Between ${MIN_LEASE_TTL} and ${MAX_LEASE_TTL} seconds.`}
      />
      <div className="button-row">
        {presets.map((p) => (
          <button
            key={p}
            type="button"
            className="button button-ghost button-small"
            aria-pressed={n === p}
            onClick={() => onChange(String(p))}
          >
            {formatDuration(p)}
          </button>
        ))}
      </div>
    </>
  );
}
