import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function AppRolesPage() {
  return (
    <>
      <PageHeader title="AppRoles" description="Machine identities for agents." />
      <Planned
        items={[
          "Create AppRoles; credentials are shown once",
          "Onboarding prompt with a copy button",
          "Suspend, rotate the secret ID, edit policies and IP allowlists (CIDRs)",
        ]}
      />
    </>
  );
}
