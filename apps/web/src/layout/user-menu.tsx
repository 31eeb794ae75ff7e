import { useQuery } from "@tanstack/react-query";
import { sessionQuery, useSignOut } from "../api/auth";

export function UserMenu() {
  const user = useQuery(sessionQuery()).data?.user;
  const signOut = useSignOut();
  if (!user) return null;
  return (
    <div className="user-menu">
      <span className="user-name" title={user.username}>
        {user.display_name || user.username}
        <span className="role-badge">{user.role}</span>
      </span>
      <button
        type="button"
        className="button button-ghost"
        disabled={signOut.isPending}
        onClick={() => signOut.mutate()}
      >
        Sign out
      </button>
    </div>
  );
}
