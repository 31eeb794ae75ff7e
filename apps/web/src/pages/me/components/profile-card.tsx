import { useQuery } from "@tanstack/react-query";
import { profileQuery } from "../../../api/me";
import { Badge } from "../../../components/badge";
import { QueryState } from "../../../components/query-state";
import { formatDateTime } from "../../../lib/format";

export function ProfileCard() {
  const profile = useQuery(profileQuery());
  return (
    <section className="card" aria-labelledby="profile-title">
      <h2 className="card-title" id="profile-title">
        Account
      </h2>
      <QueryState query={profile} what="your profile">
        {({ user, session_count }) => (
          <dl className="facts">
            <dt>Name</dt>
            <dd>{user.display_name}</dd>
            <dt>Username</dt>
            <dd className="mono">{user.username}</dd>
            <dt>Email</dt>
            <dd>{user.email ?? "—"}</dd>
            <dt>Role</dt>
            <dd>
              <Badge tone="accent">{user.role}</Badge>
            </dd>
            <dt>Extra policies</dt>
            <dd>{user.policies.length > 0 ? user.policies.join(", ") : "—"}</dd>
            <dt>Signs in with</dt>
            <dd>{user.auth_source === "local" ? "Password" : user.auth_source}</dd>
            <dt>Last sign-in</dt>
            <dd>{formatDateTime(user.last_login_at)}</dd>
            <dt>Active sessions</dt>
            <dd>{session_count}</dd>
          </dl>
        )}
      </QueryState>
    </section>
  );
}
