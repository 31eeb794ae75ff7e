import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function LeasesPage() {
  return (
    <>
      <PageHeader title="Leases" description="Time-limited hand-outs of secrets to agents and users." />
      <Planned
        items={[
          "Active leases with holder, path and time left",
          "Renew and revoke",
          "Expired and revoked history",
        ]}
      />
    </>
  );
}
