import { useQuery } from "@tanstack/react-query";
import { useEffect, useMemo, useState } from "react";
import {
  type BulkImportResult,
  type SecretVersion,
  secretQuery,
  secretsQuery,
  secretVersionsQuery,
  useBulkImport,
  useDeleteSecret,
  useEditSecret,
  useRollbackSecret,
  useWriteSecret,
} from "../../api/secrets";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { Dialog } from "../../components/dialog";
import { FormError } from "../../components/form-error";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { navigate, useLocation } from "../../lib/router";
import { toast } from "../../lib/toast";
import { ImportForm, type ImportValues } from "./components/import-form";
import { SecretDetail } from "./components/secret-detail";
import { SecretForm } from "./components/secret-form";
import { SecretTree, secretHref } from "./components/secret-tree";
import { VersionDialog } from "./components/version-dialog";
import { VersionsTable } from "./components/versions-table";

type Open =
  | { kind: "create" | "edit" | "delete" | "import" }
  | { kind: "view" | "rollback"; version: SecretVersion }
  | null;

/** `/secrets/team/api/key` → "team/api/key". */
function selectedPath(pathname: string): string | null {
  const rest = pathname.replace(/^\/secrets\/?/, "");
  if (!rest) return null;
  try {
    return rest.split("/").map(decodeURIComponent).join("/");
  } catch {
    return rest;
  }
}

export function SecretsPage() {
  const location = useLocation();
  const selected = selectedPath(location.pathname);
  const list = useQuery(secretsQuery());
  const [open, setOpen] = useState<Open>(null);
  const close = () => setOpen(null);

  // The command palette links here with ?new=1 or ?import=1.
  const intent = location.search.get("new") ? "create" : location.search.get("import") ? "import" : null;
  useEffect(() => {
    if (!intent) return;
    setOpen({ kind: intent });
    navigate(location.pathname, { replace: true });
  }, [intent, location.pathname]);

  const existing = useMemo(() => new Set((list.data ?? []).map((s) => s.path)), [list.data]);

  return (
    <>
      <PageHeader
        title="Secrets"
        description="Browse, reveal and version the secrets stored in the vault."
        actions={
          <>
            <button
              type="button"
              className="button button-secondary"
              onClick={() => setOpen({ kind: "import" })}
            >
              Import .env
            </button>
            <button
              type="button"
              className="button button-primary"
              onClick={() => setOpen({ kind: "create" })}
            >
              New secret
            </button>
          </>
        }
      />
      <div className={selected ? "secrets-layout has-selection" : "secrets-layout"}>
        <aside className="card secrets-tree-card" aria-label="Secret tree">
          <QueryState query={list} what="secrets">
            {(secrets) => <SecretTree secrets={secrets} selected={selected} />}
          </QueryState>
        </aside>
        <div className="secrets-main">
          {selected ? (
            <>
              <button
                type="button"
                className="button button-ghost button-small back-link"
                onClick={() => navigate("/secrets")}
              >
                ← All secrets
              </button>
              <SelectedSecret key={selected} path={selected} open={open} setOpen={setOpen} />
            </>
          ) : (
            <section className="card empty-state">
              <h2 className="card-title">Pick a secret</h2>
              <p className="muted">
                Choose a secret in the tree to see its metadata and versions, or create one. Values stay
                hidden until you reveal them.
              </p>
            </section>
          )}
        </div>
      </div>

      {open?.kind === "create" ? <CreateDialog onClose={close} /> : null}
      {open?.kind === "import" ? <ImportDialog existing={existing} onClose={close} /> : null}
    </>
  );
}

function SelectedSecret({
  path,
  open,
  setOpen,
}: {
  path: string;
  open: Open;
  setOpen: (open: Open) => void;
}) {
  const remove = useDeleteSecret();
  // From the delete on, nothing here may fetch again (it would only 404) while the page navigates
  // away: the live stream can announce the deletion before the DELETE response arrives.
  const gone = remove.isPending || remove.isSuccess;
  const secret = useQuery({ ...secretQuery(path), enabled: !gone });
  const canRead = secret.data?.caps.includes("read") ?? false;
  const versions = useQuery({ ...secretVersionsQuery(path), enabled: canRead && !gone });
  const edit = useEditSecret();
  const rollback = useRollbackSecret();
  const close = () => {
    edit.reset();
    remove.reset();
    rollback.reset();
    setOpen(null);
  };

  if (!secret.data) {
    if (secret.isError) {
      return (
        <section className="card">
          <h2 className="card-title mono">{path}</h2>
          <FormError error={secret.error} />
        </section>
      );
    }
    return (
      <section className="card">
        <p className="muted" role="status">
          Loading {path}…
        </p>
      </section>
    );
  }
  const view = secret.data;
  const isAdmin = view.caps.includes("admin");

  return (
    <>
      <SecretDetail
        secret={view}
        onEdit={() => setOpen({ kind: "edit" })}
        onDelete={() => setOpen({ kind: "delete" })}
      />
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title" className="card-title">
          Versions
        </h2>
        {canRead ? (
          <QueryState query={versions} what="versions">
            {(list) => (
              <VersionsTable
                versions={list}
                canRead={canRead}
                canWrite={view.caps.includes("write")}
                onView={(version) => setOpen({ kind: "view", version })}
                onRollback={(version) => setOpen({ kind: "rollback", version })}
              />
            )}
          </QueryState>
        ) : (
          <p className="muted">Version history needs read access to this path.</p>
        )}
      </section>

      {open?.kind === "edit" ? (
        <Dialog title={`Edit ${path}`} onClose={close} wide>
          <SecretForm
            mode="edit"
            initialPath={path}
            initialMetadata={view.metadata}
            pending={edit.isPending}
            error={edit.error}
            onCancel={close}
            onSubmit={(values) =>
              edit.mutate(
                { path, value: values.value, before: view.metadata, after: values.metadata, isAdmin },
                {
                  onSuccess: () => {
                    toast.success(`Saved a new version of ${path}.`);
                    close();
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={`Delete ${path}?`}
          confirmLabel="Delete secret"
          danger
          pending={remove.isPending}
          error={remove.error}
          onClose={close}
          onConfirm={() =>
            remove.mutate(path, {
              onSuccess: (result) => {
                toast.success(
                  result.leases_revoked > 0
                    ? `Deleted ${path} and revoked ${result.leases_revoked} active ${result.leases_revoked === 1 ? "lease" : "leases"}.`
                    : `Deleted ${path}.`,
                );
                close();
                navigate("/secrets");
              },
            })
          }
        >
          <p>
            The secret stops being readable at once and <strong>every active lease on it is revoked</strong>.
            Its history stays in the database for the audit trail.
          </p>
        </ConfirmDialog>
      ) : null}
      {open?.kind === "rollback" ? (
        <ConfirmDialog
          title={`Roll back ${path} to version ${open.version.version}?`}
          confirmLabel={`Roll back to v${open.version.version}`}
          pending={rollback.isPending}
          error={rollback.error}
          onClose={close}
          onConfirm={() =>
            rollback.mutate(
              { path, version: open.version.version },
              {
                onSuccess: (result) => {
                  toast.success(
                    `${path} is now version ${result.version}, a copy of version ${open.version.version}.`,
                  );
                  close();
                },
              },
            )
          }
        >
          <p>
            A new version is written with the value and metadata of version {open.version.version}. Nothing is
            deleted: the current version stays in the history.
          </p>
        </ConfirmDialog>
      ) : null}
      {open?.kind === "view" ? (
        <VersionDialog path={path} version={open.version} isAdmin={isAdmin} onClose={close} />
      ) : null}
    </>
  );
}

function CreateDialog({ onClose }: { onClose: () => void }) {
  const write = useWriteSecret();
  return (
    <Dialog title="New secret" onClose={onClose} wide>
      <SecretForm
        mode="create"
        pending={write.isPending}
        error={write.error}
        onCancel={onClose}
        onSubmit={(values) =>
          write.mutate(values, {
            onSuccess: (view) => {
              toast.success(
                view.version > 1 ? `Saved version ${view.version} of ${view.path}.` : `Created ${view.path}.`,
              );
              onClose();
              navigate(secretHref(view.path));
            },
          })
        }
      />
    </Dialog>
  );
}

function ImportDialog({ existing, onClose }: { existing: ReadonlySet<string>; onClose: () => void }) {
  const bulk = useBulkImport();
  const [preview, setPreview] = useState<string[] | null>(null);
  const [stage, setStage] = useState<"preview" | "import" | null>(null);

  const run = (values: ImportValues, dryRun: boolean) => {
    setStage(dryRun ? "preview" : "import");
    bulk.mutate(
      { prefix: values.prefix, env_text: values.envText, dry_run: dryRun },
      {
        onSuccess: (result: BulkImportResult) => {
          if ("dry_run" in result) {
            setPreview(result.would_import);
            return;
          }
          toast.success(
            `Imported ${result.imported_count} ${result.imported_count === 1 ? "secret" : "secrets"}.`,
          );
          onClose();
          const first = result.paths[0];
          if (first) navigate(secretHref(first));
        },
        onSettled: () => setStage(null),
      },
    );
  };

  return (
    <Dialog
      title="Import from .env"
      description="All or nothing: every line is checked first, then every secret is written in one transaction."
      onClose={onClose}
      wide
    >
      <ImportForm
        existingPaths={existing}
        preview={preview}
        pending={stage}
        error={bulk.error}
        onPreview={(values) => run(values, true)}
        onImport={(values) => run(values, false)}
        onEdited={() => {
          setPreview(null);
          bulk.reset();
        }}
        onCancel={onClose}
      />
    </Dialog>
  );
}
