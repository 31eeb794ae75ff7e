import { useQuery } from "@tanstack/react-query";
import { useMemo, useRef, useState } from "react";
import { approvalsQuery } from "../../api/approvals";
import { type AuditEntry, auditCountQuery, auditSinceQuery, entryFromLive } from "../../api/audit";
import { useLiveEvents } from "../../api/events";
import { healthQuery } from "../../api/health";
import { isLeaseActive, leasesQuery } from "../../api/leases";
import { secretsQuery } from "../../api/secrets";
import { LiveIndicator } from "../../components/live-indicator";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { ClockIcon, KeyIcon, ListIcon, ShieldIcon } from "../../components/vault-icons";
import { useNow } from "../../lib/clock";
import { formatDuration } from "../../lib/format";
import { Link } from "../../lib/router";
import { LeaseTable } from "../leases/components/lease-table";
import { PendingList } from "./components/pending-list";
import { RecentAudit } from "./components/recent-audit";
import { StatCard } from "./components/stat-card";

const RECENT = 8;
const MAX_LIVE_IDS = 1_000_000;
const DAY_MS = 86_400_000;

export function DashboardPage() {
  const now = useNow();
  const secrets = useQuery(secretsQuery());
  const leases = useQuery(leasesQuery());
  const pending = useQuery(approvalsQuery("pending"));
  const health = useQuery(healthQuery());
  // The 24 h window starts at first render; live entries then count on top of it.
  const [since] = useState(() => new Date(Math.floor((Date.now() - DAY_MS) / 60_000) * 60_000).toISOString());
  const audit = useQuery(auditSinceQuery(since, RECENT));
  const total = useQuery(auditCountQuery(since));
  const [live, setLive] = useState<AuditEntry[]>([]);
  // Every live entry's id (numbers only; the list above keeps just the newest 200 for display).
  const liveIds = useRef<number[]>([]);

  useLiveEvents((event) => {
    if (event.type !== "audit") return;
    const entry = entryFromLive(event.data);
    if (!entry) return;
    if (liveIds.current.length < MAX_LIVE_IDS) liveIds.current.push(entry.id);
    setLive((current) => [entry, ...current].slice(0, 200));
  });

  const { recent, count, fresh } = useMemo(() => {
    const base = audit.data?.entries ?? [];
    const known = new Set(base.map((e) => e.id));
    const extra = live.filter((e) => !known.has(e.id));
    const through = total.data?.through_id ?? 0;
    // Only what came after the counted entries adds on top (the count may be refetched later).
    liveIds.current = liveIds.current.filter((id) => id > through);
    return {
      recent: [...extra, ...base].slice(0, RECENT),
      // Live entries the count did not include yet are added on top of it.
      count: total.data ? total.data.count + liveIds.current.length : null,
      fresh: new Set(extra.map((e) => e.id)),
    };
  }, [audit.data, total.data, live]);

  const activeLeases = (leases.data ?? []).filter((l) => isLeaseActive(l, now));

  return (
    <>
      <PageHeader
        title="Dashboard"
        description="The state of the vault at a glance, updated as it happens."
        actions={<LiveIndicator />}
      />
      <div className="stat-cards">
        <StatCard label="Secrets" value={secrets.data?.length ?? null} to="/secrets" icon={<KeyIcon />} />
        <StatCard
          label="Active leases"
          value={leases.data ? activeLeases.length : null}
          to="/leases"
          icon={<ClockIcon />}
        />
        <StatCard
          label="Pending approvals"
          value={pending.data?.length ?? null}
          to="/approvals"
          icon={<ShieldIcon />}
          tone={pending.data && pending.data.length > 0 ? "warning" : undefined}
          hint={pending.data && pending.data.length > 0 ? "Waiting for a decision" : undefined}
        />
        <StatCard label="Audit entries (24 h)" value={count} to="/audit" icon={<ListIcon />} />
      </div>

      <div className="dashboard-grid">
        <section className="card" aria-labelledby="dash-pending-title">
          <div className="card-header">
            <h2 id="dash-pending-title" className="card-title">
              Pending approvals
            </h2>
            <Link to="/approvals" className="card-link">
              All requests
            </Link>
          </div>
          <QueryState query={pending} what="pending requests">
            {(list) => <PendingList requests={list.slice(0, 5)} />}
          </QueryState>
        </section>

        <section className="card" aria-labelledby="dash-leases-title">
          <div className="card-header">
            <h2 id="dash-leases-title" className="card-title">
              Active leases
            </h2>
            <Link to="/leases" className="card-link">
              All leases
            </Link>
          </div>
          <QueryState query={leases} what="leases">
            {() =>
              activeLeases.length === 0 ? (
                <p className="empty">No active leases.</p>
              ) : (
                <LeaseTable leases={activeLeases.slice(0, 6)} compact />
              )
            }
          </QueryState>
        </section>
      </div>

      <section className="card" aria-labelledby="dash-audit-title">
        <div className="card-header">
          <h2 id="dash-audit-title" className="card-title">
            Recent audit
          </h2>
          <Link to="/audit" className="card-link">
            Open the audit log
          </Link>
        </div>
        <QueryState query={audit} what="audit entries">
          {() => <RecentAudit entries={recent} fresh={fresh} />}
        </QueryState>
      </section>

      <p className="server-line muted">
        {health.data
          ? `Server ${health.data.status === "ok" ? "healthy" : health.data.status} · version ${health.data.version} · up ${formatDuration(health.data.uptime_seconds)}`
          : health.isError
            ? "Server unreachable"
            : "Checking the server…"}
      </p>
    </>
  );
}
