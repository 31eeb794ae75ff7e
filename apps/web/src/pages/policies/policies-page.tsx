import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function PoliciesPage() {
  return (
    <>
      <PageHeader title="Policies" description="Who may do what, on which paths." />
      <Planned
        items={[
          "Policies from YAML files and the database, with their source",
          "Inspector: rules and the AppRoles and users that reference each policy",
          "What-if simulator showing the deciding rule",
          "Reload from disk",
        ]}
      />
    </>
  );
}
