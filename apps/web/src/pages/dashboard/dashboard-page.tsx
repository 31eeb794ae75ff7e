import { useQuery } from "@tanstack/react-query";
import { healthQuery } from "../../api/health";
import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";
import { formatDuration } from "../../lib/format";

export function DashboardPage() {
  const health = useQuery(healthQuery());
  return (
    <>
      <PageHeader title="Dashboard" description="The state of the vault at a glance." />
      <div className="stat-grid">
        <section className="card stat" aria-label="Server status">
          <span className="stat-label">Server</span>
          <span className="stat-value">{health.data ? "Healthy" : health.isError ? "Unreachable" : "…"}</span>
        </section>
        <section className="card stat" aria-label="Server version">
          <span className="stat-label">Version</span>
          <span className="stat-value">{health.data?.version ?? "…"}</span>
        </section>
        <section className="card stat" aria-label="Server uptime">
          <span className="stat-label">Uptime</span>
          <span className="stat-value">{health.data ? formatDuration(health.data.uptime_seconds) : "…"}</span>
        </section>
      </div>
      <Planned
        items={[
          "Pending approvals and recent denials",
          "Active leases and those about to expire",
          "Recent audit activity",
        ]}
      />
    </>
  );
}
