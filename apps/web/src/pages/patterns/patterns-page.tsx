import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function PatternsPage() {
  return (
    <>
      <PageHeader title="Patterns" description="API call patterns learned from successful proxy requests." />
      <Planned
        items={[
          "Normalized request templates with confidence",
          "Request and response schemas",
          "Pin or delete a pattern",
        ]}
      />
    </>
  );
}
