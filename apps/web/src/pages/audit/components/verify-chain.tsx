import { useVerifyAudit } from "../../../api/audit";
import { FormError } from "../../../components/form-error";

/** Re-computes the HMAC chain from the latest checkpoint (admins). */
export function VerifyChain() {
  const verify = useVerifyAudit();
  const result = verify.data;
  return (
    <div className="stack">
      <div className="purge-row">
        <p className="muted">
          Each entry is chained to the previous one with an HMAC keyed from the master key, so an edit or a
          deletion in the database shows up here.
        </p>
        <button
          type="button"
          className="button button-secondary"
          disabled={verify.isPending}
          onClick={() => verify.mutate()}
        >
          {verify.isPending ? "Verifying…" : "Verify chain"}
        </button>
      </div>
      {result ? (
        result.ok ? (
          <p className="callout callout-success" role="status">
            <strong>Chain intact.</strong> Checked {result.checked}{" "}
            {result.checked === 1 ? "entry" : "entries"}, #{result.from_seq} to #{result.head_seq}.
          </p>
        ) : (
          <p className="callout callout-danger" role="alert">
            <strong>Chain broken</strong>
            {result.first_broken
              ? ` at entry #${result.first_broken.seq}: ${result.first_broken.reason}`
              : ""}
            . Checked {result.checked} entries.
          </p>
        )
      ) : null}
      <FormError error={verify.error} />
    </div>
  );
}
