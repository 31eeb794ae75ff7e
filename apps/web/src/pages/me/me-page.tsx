import { useQuery } from "@tanstack/react-query";
import { sessionQuery } from "../../api/auth";
import { PageHeader } from "../../components/page-header";
import { Planned } from "../../components/planned";

export function MePage() {
  const user = useQuery(sessionQuery()).data?.user;
  return (
    <>
      <PageHeader title="Me" description="Your account, two-factor authentication and access tokens." />
      <section className="card" aria-label="Your account">
        <h2 className="card-title">Account</h2>
        <dl className="facts">
          <dt>Name</dt>
          <dd>{user?.display_name ?? "…"}</dd>
          <dt>Username</dt>
          <dd>{user?.username ?? "…"}</dd>
          <dt>Role</dt>
          <dd>{user?.role ?? "…"}</dd>
        </dl>
      </section>
      <Planned
        items={[
          "Two-factor authentication: enrol with a QR code, recovery codes",
          "Personal access tokens for the CLI",
          "Active sessions, with sign out everywhere",
        ]}
      />
    </>
  );
}
