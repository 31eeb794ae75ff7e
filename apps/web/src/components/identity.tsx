import { useQuery } from "@tanstack/react-query";
import { useMemo } from "react";
import { appRolesQuery } from "../api/approles";
import { sessionQuery } from "../api/auth";

/** role_id → display name, for admins (who may list AppRoles); empty for everyone else. */
function useAppRoleNames(): ReadonlyMap<string, string> {
  const isAdmin = useQuery(sessionQuery()).data?.user?.role === "admin";
  const roles = useQuery({ ...appRolesQuery(), enabled: isAdmin, staleTime: 60_000 }).data;
  return useMemo(() => new Map((roles ?? []).map((r) => [r.role_id, r.display_name])), [roles]);
}

/**
 * An audit identity ("user:alice", "approle:role-…", "root") in readable form: AppRoles by their
 * name when known. The raw identity stays in the title.
 */
export function Identity({ value }: { value: string }) {
  const names = useAppRoleNames();
  const [kind, ...rest] = value.split(":");
  const id = rest.join(":");
  if (kind === "approle" && id) {
    const name = names.get(id);
    return (
      <span className="identity" title={value}>
        <span className="identity-kind">AppRole</span>
        <span className={name ? "identity-name" : "identity-name mono"}>{name ?? shorten(id)}</span>
      </span>
    );
  }
  if (kind === "user" && id) {
    return (
      <span className="identity" title={value}>
        <span className="identity-name">{id}</span>
      </span>
    );
  }
  return (
    <span className="identity mono" title={value}>
      {value}
    </span>
  );
}

/** "role-0c977dd5-0f94-…" → "role-0c977dd5…". */
const shorten = (id: string) => (id.length > 16 ? `${id.slice(0, 13)}…` : id);
