import { useQuery } from "@tanstack/react-query";
import { useId, useMemo, useState } from "react";
import {
  type AuditEntry,
  type AuditFilters,
  auditExportUrl,
  auditQuery,
  auditQueryParams,
  EMPTY_AUDIT_FILTERS,
  entryFromLive,
  matchesAuditFilters,
} from "../../api/audit";
import { sessionQuery } from "../../api/auth";
import { useLiveEvents } from "../../api/events";
import { AuditRetention } from "../../components/audit-retention";
import { LiveIndicator } from "../../components/live-indicator";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { AuditFilterForm } from "./components/audit-filters";
import { AuditTable } from "./components/audit-table";
import { VerifyChain } from "./components/verify-chain";

const PAGE_SIZE = 50;
const LIVE_KEEP = 200;

export function AuditPage() {
  const isAdmin = useQuery(sessionQuery()).data?.user?.role === "admin";
  const [filters, setFilters] = useState<AuditFilters>(EMPTY_AUDIT_FILTERS);
  // Cursors of the pages before this one: older pages continue below the last entry shown.
  const [cursors, setCursors] = useState<number[]>([]);
  const cursor = cursors[cursors.length - 1] ?? null;
  const page = useQuery(auditQuery(filters, { limit: PAGE_SIZE, beforeSeq: cursor }));
  const [tail, setTail] = useState(false);
  const [live, setLive] = useState<AuditEntry[]>([]);
  const tailId = useId();
  // Open on wide screens; on a phone the entries come first and the filters fold away.
  const [filtersOpen, setFiltersOpen] = useState(() => window.matchMedia("(min-width: 721px)").matches);
  const activeFilters = Object.keys(auditQueryParams(filters)).length;

  useLiveEvents(
    (event) => {
      if (event.type !== "audit") return;
      const entry = entryFromLive(event.data);
      if (entry && matchesAuditFilters(entry, filters))
        setLive((current) => [entry, ...current].slice(0, LIVE_KEEP));
    },
    tail && cursors.length === 0,
  );

  const freshIds = useMemo(() => new Set(live.map((e) => e.id)), [live]);
  const shown = useMemo(() => {
    const base = page.data?.entries ?? [];
    const known = new Set(base.map((e) => e.id));
    return [...live.filter((e) => !known.has(e.id)), ...base];
  }, [page.data, live]);

  const apply = (next: AuditFilters) => {
    setFilters(next);
    setCursors([]);
    setLive([]);
  };

  return (
    <>
      <PageHeader
        title="Audit"
        description="Every action taken in Gatehouse, chained so tampering shows. Secret values never appear here."
        actions={
          <div className="button-row">
            {(["json", "jsonl", "csv"] as const).map((format) => (
              <a
                key={format}
                className="button button-secondary"
                href={auditExportUrl(filters, format)}
                download={`gatehouse-audit.${format}`}
              >
                Export {format.toUpperCase()}
              </a>
            ))}
          </div>
        }
      />
      <details
        className="card filters-card"
        open={filtersOpen}
        onToggle={(e) => setFiltersOpen(e.currentTarget.open)}
      >
        <summary>
          Filters
          {activeFilters > 0 ? <span className="count-pill">{activeFilters}</span> : null}
        </summary>
        <AuditFilterForm value={filters} onApply={apply} />
      </details>

      <section className="card" aria-labelledby="audit-entries-title">
        <div className="card-header">
          <h2 id="audit-entries-title" className="card-title">
            Entries
          </h2>
          <div className="toolbar">
            {tail ? <LiveIndicator /> : null}
            <label className="switch-label" htmlFor={tailId}>
              <input
                id={tailId}
                type="checkbox"
                role="switch"
                aria-checked={tail}
                className="switch"
                checked={tail}
                onChange={(e) => {
                  setTail(e.target.checked);
                  setLive([]);
                  if (e.target.checked) {
                    setCursors([]);
                    void page.refetch();
                  }
                }}
              />
              Live tail
            </label>
          </div>
        </div>
        <QueryState query={page} what="audit entries">
          {() =>
            shown.length === 0 ? (
              <p className="empty">No entries match these filters.</p>
            ) : (
              <AuditTable entries={shown} fresh={freshIds} />
            )
          }
        </QueryState>
        <nav className="pager" aria-label="Audit pages">
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={cursors.length === 0}
            onClick={() => {
              setCursors((c) => c.slice(0, -1));
              setLive([]);
            }}
          >
            ← Newer
          </button>
          <span className="muted">
            Page {cursors.length + 1}
            {page.isFetching ? " · loading…" : ""}
          </span>
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={!page.data?.next_before_seq}
            onClick={() => {
              const next = page.data?.next_before_seq;
              if (next) {
                setCursors((c) => [...c, next]);
                setLive([]);
              }
            }}
          >
            Older →
          </button>
        </nav>
        {tail && cursors.length > 0 ? (
          <p className="field-hint">Live tail shows on the first page only.</p>
        ) : null}
      </section>

      {isAdmin ? (
        <div className="page-grid-2">
          <section className="card" aria-labelledby="audit-verify-title">
            <h2 id="audit-verify-title" className="card-title">
              Integrity
            </h2>
            <VerifyChain />
          </section>
          <section className="card" aria-labelledby="audit-retention-title">
            <h2 id="audit-retention-title" className="card-title">
              Retention
            </h2>
            <AuditRetention />
          </section>
        </div>
      ) : null}
    </>
  );
}
