import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { sessionQuery } from "../../api/auth";
import { policyNamesQuery } from "../../api/policies";
import {
  type UpdateUserInput,
  type User,
  useCreateUser,
  useDeleteUser,
  usersQuery,
  useUpdateUser,
} from "../../api/users";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { Dialog } from "../../components/dialog";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { toast } from "../../lib/toast";
import { UserForm, type UserFormValues } from "./components/user-form";
import { UserTable } from "./components/user-table";

type Open =
  | { kind: "create" }
  | { kind: "edit"; user: User }
  | { kind: "reset"; user: User }
  | { kind: "delete"; user: User }
  | null;

export function UsersPage() {
  const users = useQuery(usersQuery());
  const policyNames = useQuery(policyNamesQuery()).data ?? [];
  const grantable = policyNames.filter((n) => n !== "admin");
  const me = useQuery(sessionQuery()).data?.user?.username;
  const [open, setOpen] = useState<Open>(null);
  const [toggling, setToggling] = useState<{ username: string; enabled: boolean } | null>(null);
  const create = useCreateUser();
  const edit = useUpdateUser({ inlineError: true });
  const toggle = useUpdateUser();
  const reset = useUpdateUser({ inlineError: true });
  const remove = useDeleteUser();

  const close = () => {
    setOpen(null);
    for (const m of [create, edit, reset, remove]) m.reset();
  };

  const submitCreate = (v: UserFormValues) =>
    create.mutate(
      {
        username: v.username,
        password: v.password,
        role: v.role,
        policies: v.policies,
        ...(v.display_name ? { display_name: v.display_name } : {}),
        ...(v.email ? { email: v.email } : {}),
      },
      {
        onSuccess: (user) => {
          toast.success(`User ${user.username} created.`);
          close();
        },
      },
    );

  const submitEdit = (user: User) => (v: UserFormValues) => {
    const input: UpdateUserInput = {
      display_name: v.display_name,
      email: v.email || null,
      role: v.role,
      policies: v.policies,
      ...(v.password ? { password: v.password } : {}),
    };
    edit.mutate(
      { username: user.username, ...input },
      {
        onSuccess: () => {
          toast.success(`User ${user.username} updated.`);
          close();
        },
      },
    );
  };

  return (
    <>
      <PageHeader
        title="Users"
        description="People who sign in to Gatehouse: their role, extra policies and two-factor status."
        actions={
          <button type="button" className="button button-primary" onClick={() => setOpen({ kind: "create" })}>
            New user
          </button>
        }
      />
      <section className="card" aria-label="Users">
        <QueryState query={users} what="users">
          {(list) => (
            <UserTable
              users={list}
              currentUsername={me}
              toggling={toggling}
              onToggleEnabled={(user, enabled) => {
                // Set synchronously, so the controlled switch flips with the click; cleared once the
                // refetched list (which the mutation waits for) holds the saved value.
                setToggling({ username: user.username, enabled });
                toggle.mutate(
                  { username: user.username, enabled },
                  {
                    onSuccess: () =>
                      toast.success(
                        enabled
                          ? `${user.username} can sign in again.`
                          : `${user.username} is disabled and signed out.`,
                      ),
                    onSettled: () => setToggling(null),
                  },
                );
              }}
              onEdit={(user) => setOpen({ kind: "edit", user })}
              onResetTotp={(user) => setOpen({ kind: "reset", user })}
              onDelete={(user) => setOpen({ kind: "delete", user })}
            />
          )}
        </QueryState>
      </section>

      {open?.kind === "create" ? (
        <Dialog title="New user" onClose={close} wide>
          <UserForm
            availablePolicies={grantable}
            pending={create.isPending}
            error={create.error}
            onSubmit={submitCreate}
            onCancel={close}
          />
        </Dialog>
      ) : null}
      {open?.kind === "edit" ? (
        <Dialog title={`Edit ${open.user.username}`} onClose={close} wide>
          <UserForm
            user={open.user}
            availablePolicies={grantable}
            pending={edit.isPending}
            error={edit.error}
            onSubmit={submitEdit(open.user)}
            onCancel={close}
          />
        </Dialog>
      ) : null}
      {open?.kind === "reset" ? (
        <ConfirmDialog
          title={`Reset two-factor for ${open.user.username}?`}
          confirmLabel="Reset two-factor"
          danger
          pending={reset.isPending}
          error={reset.error}
          onClose={close}
          onConfirm={() =>
            reset.mutate(
              { username: open.user.username, reset_totp: true },
              {
                onSuccess: () => {
                  toast.success(`Two-factor reset for ${open.user.username}.`);
                  close();
                },
              },
            )
          }
        >
          <p>
            This removes the authenticator and recovery codes of <strong>{open.user.username}</strong> and
            ends their sessions. They sign in with their password alone until they enrol again under Me.
          </p>
        </ConfirmDialog>
      ) : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={`Delete ${open.user.username}?`}
          confirmLabel="Delete user"
          danger
          pending={remove.isPending}
          error={remove.error}
          onClose={close}
          onConfirm={() =>
            remove.mutate(open.user.username, {
              onSuccess: () => {
                toast.success(`User ${open.user.username} deleted.`);
                close();
              },
            })
          }
        >
          <p>
            <strong>{open.user.display_name}</strong> ({open.user.username}) loses access at once: their
            sessions and access tokens end. The audit log keeps their history.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
