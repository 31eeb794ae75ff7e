import { useId } from "react";
import { useCreateFirstAdmin } from "../../api/setup";
import { useLocation } from "../../lib/router";
import { toast } from "../../lib/toast";
import { SetupForm } from "./components/setup-form";

// After success the bootstrap says setup is done, and the route gate moves on to sign-in (or
// home, when the server signed the new admin in).
export function SetupPage() {
  const titleId = useId();
  const setupToken = useLocation().search.get("token");
  const createAdmin = useCreateFirstAdmin();
  return (
    <section className="card auth-card" aria-labelledby={titleId}>
      <h1 id={titleId}>Set up Gatehouse</h1>
      <p className="muted">Create the first administrator account. You can add more users afterwards.</p>
      <SetupForm
        setupToken={setupToken}
        pending={createAdmin.isPending}
        error={createAdmin.error}
        onSubmit={(values) =>
          createAdmin.mutate(values, { onSuccess: () => toast.success("Admin account created.") })
        }
      />
    </section>
  );
}
