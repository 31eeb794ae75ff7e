import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function DynamicSecretsPage() {
  return (
    <>
      <PageHeader title="Dynamic secrets" description="Short-lived credentials created on demand." />
      <Planned
        items={[
          "PostgreSQL, MySQL/MariaDB, Redis, MongoDB and SSH certificate providers",
          "Test a connection",
          "Checkouts, revocations and retry status",
        ]}
      />
    </>
  );
}
