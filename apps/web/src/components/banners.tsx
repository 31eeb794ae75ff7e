import { useQuery } from "@tanstack/react-query";
import { bootstrapQuery } from "../api/ui";

/** Server-wide warnings that every page shows, driven by /v1/ui/bootstrap. */
export function Banners() {
  const { data } = useQuery(bootstrapQuery());
  if (!data) return null;
  return (
    <>
      {data.dev_mode ? (
        <aside className="banner banner-info" aria-label="Development mode">
          <strong>Development mode.</strong> Not for production secrets: relaxed settings are in effect.
        </aside>
      ) : null}
      {data.root_token_set ? (
        <aside className="banner banner-warning" aria-label="Root token warning">
          <strong>A root token is set.</strong> It grants admin on everything. Remove{" "}
          <code>GATEHOUSE_ROOT_TOKEN</code> once an admin account exists.
        </aside>
      ) : null}
    </>
  );
}
