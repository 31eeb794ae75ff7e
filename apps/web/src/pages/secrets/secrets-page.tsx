import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function SecretsPage() {
  return (
    <>
      <PageHeader title="Secrets" description="Browse and manage the secrets stored in the vault." />
      <Planned
        items={[
          "Tree of secret paths with search",
          "Reveal a value after confirmation (never for viewers)",
          "Version history and rollback",
          "Bulk import",
        ]}
      />
    </>
  );
}
