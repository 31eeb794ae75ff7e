import { useQuery } from "@tanstack/react-query";
import { sessionQuery } from "../../api/auth";
import { healthQuery } from "../../api/health";
import { bootstrapQuery } from "../../api/ui";
import { AuditRetention } from "../../components/audit-retention";
import { Badge } from "../../components/badge";
import { PageHeader } from "../../components/page-header";
import { formatDuration } from "../../lib/format";
import { MasterKeyCard } from "./components/master-key-card";
import { SsoPanel } from "./components/sso-panel";

export function SettingsPage() {
  const bootstrap = useQuery(bootstrapQuery());
  const health = useQuery(healthQuery());
  const isAdmin = useQuery(sessionQuery()).data?.user?.role === "admin";
  return (
    <>
      <PageHeader title="Settings" description="Server-wide configuration." />
      <div className="page-grid-2">
        <section className="card" aria-labelledby="about-title">
          <h2 id="about-title" className="card-title">
            About this server
          </h2>
          <dl className="facts">
            <dt>Version</dt>
            <dd className="mono">{health.data?.version ?? bootstrap.data?.version ?? "…"}</dd>
            <dt>Health</dt>
            <dd>
              {health.data ? (
                <Badge tone={health.data.status === "ok" ? "success" : "danger"}>
                  {health.data.status === "ok" ? "healthy" : health.data.status}
                </Badge>
              ) : health.isError ? (
                <Badge tone="danger">unreachable</Badge>
              ) : (
                "…"
              )}
            </dd>
            <dt>Uptime</dt>
            <dd>{health.data ? formatDuration(health.data.uptime_seconds) : "…"}</dd>
            <dt>Mode</dt>
            <dd>{bootstrap.data?.dev_mode ? "Development" : "Production"}</dd>
          </dl>
        </section>
        {isAdmin ? <MasterKeyCard /> : null}
      </div>

      {isAdmin ? (
        <section className="card" aria-labelledby="retention-title">
          <h2 id="retention-title" className="card-title">
            Audit retention
          </h2>
          <AuditRetention />
        </section>
      ) : (
        <section className="card">
          <p className="muted">Key rotation and audit retention are managed by admins.</p>
        </section>
      )}

      {/* Single sign-on: an empty slot that the SSO work fills in. Keep it separate from the cards above. */}
      <section className="card settings-sso" id="sso" aria-labelledby="sso-title">
        <h2 id="sso-title" className="card-title">
          Single sign-on
        </h2>
        <div className="settings-sso-body">
          {isAdmin ? <SsoPanel /> : <p className="muted">Single sign-on is configured by admins.</p>}
        </div>
      </section>
    </>
  );
}
