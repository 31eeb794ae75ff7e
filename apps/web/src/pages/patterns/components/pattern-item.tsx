import { useId, useState } from "react";
import type { JsonSchema, Pattern } from "../../../api/patterns";
import { Badge, type BadgeTone } from "../../../components/badge";
import { ChipList } from "../../../components/chip-list";
import { Identity } from "../../../components/identity";
import { formatAgo } from "../../../lib/ago";
import { formatDateTime } from "../../../lib/format";

interface Props {
  pattern: Pattern;
  busy: boolean;
  onTogglePin: () => void;
  onDelete: () => void;
}

export const confidenceTone = (c: number): BadgeTone =>
  c >= 0.8 ? "success" : c >= 0.5 ? "warning" : "danger";

const statusTone = (s: number | null): BadgeTone =>
  s === null ? "neutral" : s < 300 ? "success" : s < 400 ? "info" : "danger";

/** One learned pattern: a summary line, and its template details on demand. */
export function PatternItem({ pattern: p, busy, onTogglePin, onDelete }: Props) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  // The template starts with scheme://host[:port]; the host is shown beside it.
  const route = p.url_template.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?]+/i, "") || "/";
  const name = `${p.method} ${route}`;
  const percent = Math.round(p.confidence * 100);
  return (
    <li className={p.pinned ? "pattern-item is-pinned" : "pattern-item"} aria-label={name}>
      <div className="pattern-summary">
        <span className={`method method-${p.method.toLowerCase()}`}>{p.method}</span>
        <span className="pattern-template mono" title={p.url_template}>
          {route}
        </span>
        <span className="pattern-meta">
          <span
            className="confidence"
            title={`${p.success_count} successes, ${p.failure_count} failures in total`}
          >
            <span className="confidence-bar" aria-hidden="true">
              <span
                className={`confidence-fill tone-${confidenceTone(p.confidence)}`}
                style={{ width: `${percent}%` }}
              />
            </span>
            <Badge tone={confidenceTone(p.confidence)}>{percent}% confidence</Badge>
          </span>
          {p.pinned ? <Badge tone="accent">pinned</Badge> : null}
          <span className="cell-sub">
            <span className="mono">{p.host}</span> · {p.verified_by} agent{p.verified_by === 1 ? "" : "s"} ·
            used{" "}
            <time dateTime={p.last_used_at} title={formatDateTime(p.last_used_at)}>
              {formatAgo(p.last_used_at, Date.now())}
            </time>
          </span>
        </span>
        <span className="button-row pattern-actions">
          <button
            type="button"
            className="button button-ghost button-small"
            aria-expanded={open}
            aria-controls={detailsId}
            aria-label={`${open ? "Hide" : "Show"} details of ${name}`}
            onClick={() => setOpen(!open)}
          >
            {open ? "Hide details" : "Details"}
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={busy}
            aria-label={`${p.pinned ? "Unpin" : "Pin"} ${name}`}
            onClick={onTogglePin}
          >
            {p.pinned ? "Unpin" : "Pin"}
          </button>
          <button
            type="button"
            className="button button-danger-ghost button-small"
            aria-label={`Delete ${name}`}
            onClick={onDelete}
          >
            Delete
          </button>
        </span>
      </div>
      {open ? (
        <section id={detailsId} className="pattern-details" aria-label={`Details of ${name}`}>
          <dl className="facts">
            <dt>Host</dt>
            <dd className="mono">{p.host}</dd>
            <dt>Template</dt>
            <dd className="mono">
              {p.method} {p.url_template}
            </dd>
            <dt>Last status</dt>
            <dd>
              {p.last_status === null ? "—" : <Badge tone={statusTone(p.last_status)}>{p.last_status}</Badge>}
            </dd>
            <dt>Outcomes</dt>
            <dd>
              {p.success_count} succeeded, {p.failure_count} failed (confidence over the last 20 calls)
            </dd>
            <dt>Request headers</dt>
            <dd>
              <ChipList items={p.request_headers} empty="—" />
            </dd>
            <dt>Learned</dt>
            <dd>{formatDateTime(p.created_at)}</dd>
            <dt>Last used</dt>
            <dd>{formatDateTime(p.last_used_at)}</dd>
          </dl>
          <div className="schema-grid">
            <SchemaTable title="Request body" schema={p.request_schema} />
            <SchemaTable title="Response body" schema={p.response_schema} />
          </div>
          {p.recent_outcomes?.length ? (
            <div className="stack">
              <h4 className="section-title">Recent calls</h4>
              <ul className="plain-list outcome-list">
                {[...p.recent_outcomes].reverse().map((o) => (
                  <li key={`${o.at}-${o.agent}`}>
                    <Badge tone={o.ok ? "success" : "danger"}>{o.ok ? "ok" : "failed"}</Badge>{" "}
                    <Identity value={o.agent} />{" "}
                    <time className="cell-sub" dateTime={o.at}>
                      {formatAgo(o.at, Date.now())}
                    </time>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
        </section>
      ) : null}
    </li>
  );
}

function SchemaTable({ title, schema }: { title: string; schema: JsonSchema | null }) {
  const entries = Object.entries(schema ?? {});
  return (
    <section className="schema" aria-label={`${title} schema`}>
      <h4 className="section-title">{title}</h4>
      {entries.length === 0 ? (
        <p className="muted">No JSON body seen.</p>
      ) : (
        <table className="schema-table">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Type</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([key, type]) => (
              <tr key={key}>
                <td className="mono">{key === "$" ? "(value)" : key}</td>
                <td className="mono">{type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
