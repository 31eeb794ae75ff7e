import { CopyButton } from "../../../components/copy-button";

/** Recovery codes, shown once right after they are made. */
export function RecoveryCodes({ codes, onDone }: { codes: readonly string[]; onDone: () => void }) {
  return (
    <div className="stack">
      <div className="callout callout-warning" role="note">
        Save these recovery codes somewhere safe now: they are shown only once. Each one signs you in a single
        time if you lose your authenticator.
      </div>
      <ol className="code-list" aria-label="Recovery codes">
        {codes.map((code) => (
          <li key={code}>{code}</li>
        ))}
      </ol>
      <div className="button-row">
        <CopyButton value={codes.join("\n")} what="recovery codes" />
        <button type="button" className="button button-primary" onClick={onDone}>
          I have saved them
        </button>
      </div>
    </div>
  );
}
