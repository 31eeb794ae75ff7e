import type { Policy } from "@gatehouse/core/policy";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { appRolesQuery } from "../../api/approles";
import {
  type ListedPolicy,
  policiesQuery,
  toPolicyBody,
  useCreatePolicy,
  useDeletePolicy,
  useReloadPolicies,
  useUpdatePolicy,
} from "../../api/policies";
import { usersQuery } from "../../api/users";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { Dialog } from "../../components/dialog";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { toast } from "../../lib/toast";
import { type EditorMode, PolicyEditor } from "./components/policy-editor";
import { PolicyList } from "./components/policy-list";
import { PolicyProblems } from "./components/policy-problems";
import { NEW_POLICY_TEMPLATE, policyToYaml } from "./components/policy-yaml";
import { Simulator, type SimulatorPreset } from "./components/simulator";

type Open = { kind: "create" } | { kind: "open" | "delete"; policy: ListedPolicy } | null;

function readOnlyReason(p: ListedPolicy): string {
  if (p.source === "builtin")
    return "The built-in admin policy grants every capability on every path. It cannot be changed or deleted.";
  if (p.source === "yaml") {
    return `This policy is read from ${p.file ?? "a YAML file"} in the config directory. Edit the file and choose "Reload from disk"; the API cannot change it.`;
  }
  return "A file policy with the same name takes precedence, so this database policy is inactive. Rename one of them.";
}

export function PoliciesPage() {
  const listing = useQuery(policiesQuery());
  const approles = useQuery(appRolesQuery()).data ?? [];
  const users = useQuery(usersQuery()).data ?? [];
  const [open, setOpen] = useState<Open>(null);
  const [preset, setPreset] = useState<SimulatorPreset | null>(null);
  const create = useCreatePolicy();
  const update = useUpdatePolicy();
  const remove = useDeletePolicy();
  const reload = useReloadPolicies();

  const close = () => {
    setOpen(null);
    for (const m of [create, update, remove]) m.reset();
  };

  const save = (mode: "create" | "update") => (policy: Policy) => {
    const mutation = mode === "create" ? create : update;
    mutation.mutate(toPolicyBody(policy), {
      onSuccess: () => {
        toast.success(`Policy ${policy.name} ${mode === "create" ? "created" : "saved"}.`);
        close();
      },
    });
  };

  const takenNames = listing.data?.policies.map((p) => p.name) ?? [];
  let editor: { title: string; mode: EditorMode; text: string; onSubmit: (p: Policy) => void } | null = null;
  if (open?.kind === "create") {
    editor = {
      title: "New policy",
      mode: { kind: "create", takenNames },
      text: NEW_POLICY_TEMPLATE,
      onSubmit: save("create"),
    };
  } else if (open?.kind === "open") {
    const p = open.policy;
    const editable = p.source === "db" && p.active;
    editor = {
      title: editable ? `Edit policy ${p.name}` : `Policy ${p.name}`,
      mode: editable ? { kind: "edit", name: p.name } : { kind: "view", reason: readOnlyReason(p) },
      text: policyToYaml(p),
      onSubmit: save("update"),
    };
  }
  const mutationFor = open?.kind === "create" ? create : update;

  return (
    <>
      <PageHeader
        title="Policies"
        description="Who may do what, on which paths: every policy with its source, its rules and who uses it."
        actions={
          <>
            <button
              type="button"
              className="button button-secondary"
              disabled={reload.isPending}
              onClick={() =>
                reload.mutate(undefined, {
                  onSuccess: (r) =>
                    toast.success(
                      `Reloaded ${r.imported.length} file polic${r.imported.length === 1 ? "y" : "ies"}` +
                        (r.file_errors.length > 0 ? `; ${r.file_errors.length} file(s) have errors.` : "."),
                    ),
                })
              }
            >
              {reload.isPending ? "Reloading…" : "Reload from disk"}
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => setOpen({ kind: "create" })}
            >
              New policy
            </button>
          </>
        }
      />
      <QueryState query={listing} what="policies">
        {(data) => (
          <>
            <PolicyProblems listing={data} />
            <section className="card" aria-label="Policies">
              <PolicyList
                policies={data.policies}
                onOpen={(policy) => setOpen({ kind: "open", policy })}
                onDelete={(policy) => setOpen({ kind: "delete", policy })}
                onSimulate={(policy) => {
                  setPreset((old) => ({ policies: [policy.name], nonce: (old?.nonce ?? 0) + 1 }));
                  document
                    .getElementById("simulator")
                    ?.scrollIntoView({ behavior: "smooth", block: "start" });
                }}
              />
            </section>
            <Simulator policies={data.policies} approles={approles} users={users} preset={preset} />
          </>
        )}
      </QueryState>

      {editor ? (
        <Dialog title={editor.title} onClose={close} wide>
          <PolicyEditor
            mode={editor.mode}
            initialText={editor.text}
            pending={mutationFor.isPending}
            error={mutationFor.error}
            onSubmit={editor.onSubmit}
            onCancel={close}
          />
        </Dialog>
      ) : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={`Delete policy ${open.policy.name}?`}
          confirmLabel="Delete policy"
          danger
          pending={remove.isPending}
          error={remove.error}
          onClose={close}
          onConfirm={() =>
            remove.mutate(open.policy.name, {
              onSuccess: () => {
                toast.success(`Policy ${open.policy.name} deleted.`);
                close();
              },
            })
          }
        >
          <p>Identities holding it lose what it grants on their next request.</p>
          {open.policy.referenced_by.approles.length + open.policy.referenced_by.users.length > 0 ? (
            <div className="callout callout-warning">
              Still referenced by{" "}
              {[
                ...open.policy.referenced_by.approles.map((r) => `AppRole ${r.display_name}`),
                ...open.policy.referenced_by.users.map((u) => `user ${u}`),
              ].join(", ")}
              .
            </div>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
