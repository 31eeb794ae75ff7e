import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import {
  type AppRole,
  appRolesQuery,
  useCreateAppRole,
  useDeleteAppRole,
  useRotateSecret,
  useSuspendAppRole,
  useUpdateAppRole,
} from "../../api/approles";
import { policyNamesQuery } from "../../api/policies";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { Dialog } from "../../components/dialog";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { toast } from "../../lib/toast";
import { AppRoleForm } from "./components/approle-form";
import { type AppRoleAction, AppRoleTable } from "./components/approle-table";
import { ConnectAgent } from "./components/connect-agent";
import { CredentialsDialog } from "./components/credentials-dialog";
import { OnboardingDialog } from "./components/onboarding-dialog";

type Open =
  | { kind: "create" }
  | { kind: "credentials"; title: string; roleName: string; roleId: string; secretId: string }
  | { kind: "edit" | "onboard" | "rotate" | "delete"; role: AppRole }
  | null;

export function AppRolesPage() {
  const roles = useQuery(appRolesQuery());
  const policyNames = useQuery(policyNamesQuery()).data ?? [];
  const [open, setOpen] = useState<Open>(null);
  const create = useCreateAppRole();
  const update = useUpdateAppRole();
  const suspend = useSuspendAppRole();
  const rotate = useRotateSecret();
  const remove = useDeleteAppRole();

  const close = () => {
    setOpen(null);
    for (const m of [create, update, rotate, remove]) m.reset();
  };

  const onAction = (role: AppRole, action: AppRoleAction) => {
    if (action === "suspend" || action === "reinstate") {
      const suspended = action === "suspend";
      suspend.mutate(
        { id: role.role_id, suspended },
        {
          onSuccess: () =>
            toast.success(
              suspended
                ? `${role.display_name} is suspended: its tokens stop working now.`
                : `${role.display_name} is active again.`,
            ),
        },
      );
      return;
    }
    setOpen({ kind: action, role });
  };

  return (
    <>
      <PageHeader
        title="AppRoles"
        description="Machine identities for agents: policies, IP allowlists, credentials and onboarding links."
        actions={
          <button type="button" className="button button-primary" onClick={() => setOpen({ kind: "create" })}>
            New AppRole
          </button>
        }
      />
      <section className="card" aria-label="AppRoles">
        <QueryState query={roles} what="AppRoles">
          {(list) => (
            <AppRoleTable
              roles={list}
              busyRoleId={suspend.isPending ? (suspend.variables?.id ?? null) : null}
              onAction={onAction}
            />
          )}
        </QueryState>
      </section>
      <ConnectAgent roles={roles.data ?? []} />

      {open?.kind === "create" ? (
        <Dialog title="New AppRole" onClose={close} wide>
          <AppRoleForm
            availablePolicies={policyNames}
            pending={create.isPending}
            error={create.error}
            onCancel={close}
            onSubmit={(values) =>
              create.mutate(values, {
                onSuccess: (created) => {
                  create.reset();
                  setOpen({
                    kind: "credentials",
                    title: `Credentials for ${created.display_name}`,
                    roleName: created.display_name,
                    roleId: created.role_id,
                    secretId: created.secret_id,
                  });
                },
              })
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "credentials" ? (
        <CredentialsDialog
          title={open.title}
          roleName={open.roleName}
          roleId={open.roleId}
          secretId={open.secretId}
          onClose={close}
        />
      ) : null}
      {open?.kind === "edit" ? (
        <Dialog title={`Edit ${open.role.display_name}`} onClose={close} wide>
          <AppRoleForm
            role={open.role}
            availablePolicies={policyNames}
            pending={update.isPending}
            error={update.error}
            onCancel={close}
            onSubmit={(values) =>
              update.mutate(
                { id: open.role.role_id, ...values },
                {
                  onSuccess: (saved) => {
                    toast.success(`${saved.display_name} saved. Changes apply to its next request.`);
                    close();
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "onboard" ? <OnboardingDialog role={open.role} onClose={close} /> : null}
      {open?.kind === "rotate" ? (
        <ConfirmDialog
          title={`Rotate the secret ID of ${open.role.display_name}?`}
          confirmLabel="Rotate secret ID"
          danger
          pending={rotate.isPending}
          error={rotate.error}
          onClose={close}
          onConfirm={() =>
            rotate.mutate(open.role.role_id, {
              onSuccess: (result) => {
                rotate.reset();
                setOpen({
                  kind: "credentials",
                  title: `New secret ID for ${open.role.display_name}`,
                  roleName: open.role.display_name,
                  roleId: result.role_id,
                  secretId: result.secret_id,
                });
              },
            })
          }
        >
          <p>
            The current secret ID and every token issued with it stop working at once. The agent needs the new
            one (or a rotation link) to log in again.
          </p>
        </ConfirmDialog>
      ) : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={`Delete ${open.role.display_name}?`}
          confirmLabel="Delete AppRole"
          danger
          pending={remove.isPending}
          error={remove.error}
          onClose={close}
          onConfirm={() =>
            remove.mutate(open.role.role_id, {
              onSuccess: () => {
                toast.success(`${open.role.display_name} deleted.`);
                close();
              },
            })
          }
        >
          <p>
            The agent using <strong>{open.role.display_name}</strong> loses access on its next request, and
            its onboarding links stop working. The audit log keeps its history.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
