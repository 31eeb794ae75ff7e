import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function AuditPage() {
  return (
    <>
      <PageHeader title="Audit" description="Every action taken in Gatehouse." />
      <Planned
        items={["Filters by identity, action, path and time", "Live tail", "Export as JSON, JSONL or CSV"]}
      />
    </>
  );
}
