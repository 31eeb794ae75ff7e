import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function McpServersPage() {
  return (
    <>
      <PageHeader title="MCP servers" description="Upstream MCP servers behind the Gatehouse gateway." />
      <Planned
        items={[
          "Register stdio or HTTP upstreams",
          "Tools per server: hide, rename, re-describe",
          "Argument and result filters: block, redact or audit",
        ]}
      />
    </>
  );
}
