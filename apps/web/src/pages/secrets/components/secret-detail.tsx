import type { SecretView } from "../../../api/secrets";
import { Badge } from "../../../components/badge";
import { formatDateTime, formatRelative } from "../../../lib/format";
import { MetadataTable } from "./metadata-table";
import { RevealPanel } from "./reveal-panel";
import { useReveal } from "./use-reveal";

interface Props {
  secret: SecretView;
  onEdit: () => void;
  onDelete: () => void;
}

/** The selected secret: identity, its value behind a confirmed reveal, and its metadata. */
export function SecretDetail({ secret, onEdit, onDelete }: Props) {
  const reveal = useReveal(secret.path);
  const can = (cap: string) => secret.caps.includes(cap);
  return (
    <section className="card secret-detail" aria-label={`Secret ${secret.path}`}>
      <header className="secret-detail-header">
        <div className="secret-title">
          <p className="eyebrow">Secret</p>
          <h2 className="mono secret-path">{secret.path}</h2>
          <p className="muted secret-facts">
            Version {secret.version} · updated{" "}
            <time dateTime={secret.updated_at} title={formatDateTime(secret.updated_at)}>
              {formatRelative(secret.updated_at)}
            </time>{" "}
            · created {formatDateTime(secret.created_at)}
          </p>
          <ul className="chips plain-list" aria-label="Your capabilities on this path">
            {secret.caps.map((c) => (
              <li key={c}>
                <Badge tone={c === "admin" ? "accent" : "neutral"}>{c}</Badge>
              </li>
            ))}
          </ul>
        </div>
        <div className="button-row">
          {can("write") ? (
            <button type="button" className="button button-secondary button-small" onClick={onEdit}>
              Edit
            </button>
          ) : null}
          {can("delete") ? (
            <button type="button" className="button button-danger-ghost button-small" onClick={onDelete}>
              Delete
            </button>
          ) : null}
        </div>
      </header>

      <div className="detail-section">
        <h3 className="section-title">Value</h3>
        {can("read") ? (
          <RevealPanel
            path={secret.path}
            state={reveal.state}
            onReveal={reveal.reveal}
            onHide={reveal.hide}
            onDecided={reveal.onDecided}
          />
        ) : (
          <p className="muted">Your policies do not let you read this value.</p>
        )}
      </div>

      <div className="detail-section">
        <h3 className="section-title">Metadata</h3>
        <MetadataTable metadata={secret.metadata} isAdmin={can("admin")} />
      </div>
    </section>
  );
}
