import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function UsersPage() {
  return (
    <>
      <PageHeader title="Users" description="People who sign in to Gatehouse." />
      <Planned
        items={[
          "Create, disable and delete users",
          "Roles: admin, approver, viewer",
          "Reset a user's two-factor authentication",
        ]}
      />
    </>
  );
}
