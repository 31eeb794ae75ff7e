import { PageHeader } from "../components/page-header";
import { Link } from "../lib/router";

export function NotFoundPage() {
  return (
    <>
      <PageHeader title="Page not found" description="There is nothing at this address." />
      <p>
        <Link to="/">Go to the dashboard</Link>
      </p>
    </>
  );
}
