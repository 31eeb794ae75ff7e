import { useQuery } from "@tanstack/react-query";
import { useDeferredValue, useMemo, useState } from "react";
import { sessionQuery } from "../../api/auth";
import { isApiError } from "../../api/client";
import { type Pattern, patternsQuery, useDeletePattern, useTogglePin } from "../../api/patterns";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { Link } from "../../lib/router";
import { toast } from "../../lib/toast";
import { EMPTY_FILTER, type PatternFilter, PatternFilters } from "./components/pattern-filters";
import { PatternItem } from "./components/pattern-item";

const secretHref = (path: string) => `/secrets/${path.split("/").map(encodeURIComponent).join("/")}`;

export function PatternsPage() {
  const isAdmin = useQuery(sessionQuery()).data?.user?.role === "admin";
  const [filter, setFilter] = useState<PatternFilter>(EMPTY_FILTER);
  const secret = useDeferredValue(filter.secret.trim());
  // Admins list everything and filter here; others may list one secret's patterns at a time.
  const patterns = useQuery({
    ...patternsQuery(isAdmin ? null : secret || null),
    enabled: isAdmin || secret !== "",
  });
  const pin = useTogglePin();
  const remove = useDeletePattern();
  const [deleting, setDeleting] = useState<Pattern | null>(null);

  const groups = useMemo(() => {
    const wanted = (p: Pattern) =>
      (!isAdmin || !secret || p.secret_path.includes(secret)) &&
      (!filter.method || p.method === filter.method) &&
      p.confidence >= filter.minConfidence &&
      (!filter.pinnedOnly || p.pinned);
    const bySecret = new Map<string, Pattern[]>();
    for (const p of patterns.data ?? []) {
      if (!wanted(p)) continue;
      const list = bySecret.get(p.secret_path) ?? [];
      list.push(p);
      bySecret.set(p.secret_path, list);
    }
    return [...bySecret.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [patterns.data, isAdmin, secret, filter]);

  const total = patterns.data?.length ?? 0;
  const shown = groups.reduce((n, [, list]) => n + list.length, 0);

  return (
    <>
      <PageHeader
        title="Patterns"
        description="API call patterns learned from successful proxy requests: agents get the closest ones back when a call fails."
      />
      <section className="card filters-card">
        <PatternFilters
          value={filter}
          onChange={setFilter}
          secretHint={
            isAdmin ? "Part of a secret path." : "The exact secret path (you need proxy or read on it)."
          }
        />
      </section>
      {!isAdmin && !secret ? (
        <section className="card">
          <p className="muted">Enter a secret path to see the patterns learned for it.</p>
        </section>
      ) : (
        <QueryState query={patterns} what="patterns">
          {() =>
            total === 0 ? (
              <section className="card">
                <div className="empty">
                  <p>No patterns learned yet.</p>
                  <p className="field-hint">
                    Each successful <code>POST /v1/proxy</code> call (or <code>gatehouse_proxy</code> tool
                    call) teaches one: method, normalized URL, header names and body shapes, never values.
                  </p>
                </div>
              </section>
            ) : groups.length === 0 ? (
              <section className="card">
                <p className="empty">No pattern matches these filters.</p>
              </section>
            ) : (
              <>
                <p className="muted pattern-count" role="status">
                  {shown === total ? `${total} patterns` : `${shown} of ${total} patterns`} across{" "}
                  {groups.length} secret{groups.length === 1 ? "" : "s"}
                </p>
                {groups.map(([path, list]) => (
                  <section key={path} className="card pattern-group" aria-label={`Patterns of ${path}`}>
                    <div className="card-header">
                      <h2 className="card-title mono">
                        <Link to={secretHref(path)}>{path}</Link>
                      </h2>
                      <span className="count-pill">{list.length}</span>
                    </div>
                    <ul className="plain-list pattern-list">
                      {list.map((p) => (
                        <PatternItem
                          key={p.id}
                          pattern={p}
                          busy={pin.isPending && pin.variables === p.id}
                          onTogglePin={() =>
                            pin.mutate(p.id, {
                              onSuccess: (r) =>
                                toast.success(
                                  r.pinned
                                    ? `${p.method} ${p.url_template} pinned.`
                                    : `${p.method} ${p.url_template} unpinned.`,
                                ),
                            })
                          }
                          onDelete={() => setDeleting(p)}
                        />
                      ))}
                    </ul>
                  </section>
                ))}
              </>
            )
          }
        </QueryState>
      )}
      {isApiError(patterns.error) && patterns.error.status === 403 && !isAdmin ? (
        <p className="field-hint">Listing patterns needs proxy or read on that secret.</p>
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title="Delete this pattern?"
          confirmLabel="Delete pattern"
          danger
          pending={remove.isPending}
          error={remove.error}
          onClose={() => {
            remove.reset();
            setDeleting(null);
          }}
          onConfirm={() =>
            remove.mutate(deleting.id, {
              onSuccess: () => {
                toast.success("Pattern deleted.");
                remove.reset();
                setDeleting(null);
              },
            })
          }
        >
          <p>
            <span className="mono">
              {deleting.method} {deleting.url_template}
            </span>{" "}
            on <span className="mono">{deleting.secret_path}</span> is forgotten
            {deleting.pinned ? ", pin included" : ""}. The next successful call learns it again.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
