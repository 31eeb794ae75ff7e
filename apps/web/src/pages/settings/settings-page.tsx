import { useQuery } from "@tanstack/react-query";
import { bootstrapQuery } from "../../api/ui";
import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function SettingsPage() {
  const bootstrap = useQuery(bootstrapQuery());
  return (
    <>
      <PageHeader title="Settings" description="Server-wide configuration." />
      <section className="card" aria-label="About this server">
        <h2 className="card-title">About</h2>
        <dl className="facts">
          <dt>Version</dt>
          <dd>{bootstrap.data?.version ?? "…"}</dd>
          <dt>Mode</dt>
          <dd>{bootstrap.data?.dev_mode ? "Development" : "Production"}</dd>
          <dt>Single sign-on</dt>
          <dd>{bootstrap.data?.sso_enabled ? "Enabled" : "Not configured"}</dd>
        </dl>
      </section>
      <Planned
        items={["Single sign-on (OIDC) configuration", "Audit retention and purge", "Master key rotation"]}
      />
    </>
  );
}
