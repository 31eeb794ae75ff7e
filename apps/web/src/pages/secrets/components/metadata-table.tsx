import { isSecurityKey, type Metadata } from "../../../api/secrets";
import { Badge } from "../../../components/badge";
import { LockIcon } from "../../../components/vault-icons";

/** Metadata as key/value rows; keys that steer the proxy are marked "security". */
export function MetadataTable({ metadata, isAdmin }: { metadata: Metadata; isAdmin: boolean }) {
  const keys = Object.keys(metadata).sort((a, b) => {
    const sa = isSecurityKey(a) ? 0 : 1;
    const sb = isSecurityKey(b) ? 0 : 1;
    return sa - sb || a.localeCompare(b);
  });
  return (
    <div className="stack">
      {keys.length === 0 ? (
        <p className="muted">No metadata.</p>
      ) : (
        <dl className="metadata-list" aria-label="Metadata">
          {keys.map((key) => {
            const security = isSecurityKey(key);
            return (
              <div key={key} className={security ? "metadata-row is-security" : "metadata-row"}>
                <dt>
                  <span className="mono">{key}</span>
                  {security ? (
                    <Badge tone="warning" title="Steers where the proxy may send this secret; needs admin">
                      <LockIcon />
                      security
                    </Badge>
                  ) : null}
                </dt>
                <dd className="mono">{metadata[key]}</dd>
              </div>
            );
          })}
        </dl>
      )}
      {isAdmin ? null : (
        <p className="field-hint">
          Security metadata (such as <code>allowed_domains</code>) is shown only to admins of this path.
        </p>
      )}
    </div>
  );
}
