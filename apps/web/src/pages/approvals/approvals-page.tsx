import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function ApprovalsPage() {
  return (
    <>
      <PageHeader title="Approvals" description="Requests waiting for a human decision." />
      <Planned
        items={[
          "Pending requests, live as they arrive",
          "Identity, path, reason and source IP for each request",
          "Approve with an optional shorter TTL, or deny with a reason",
        ]}
      />
    </>
  );
}
