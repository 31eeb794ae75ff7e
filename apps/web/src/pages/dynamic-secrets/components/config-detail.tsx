import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import {
  type CheckoutOutcome,
  type ConfigView,
  caPublicKeyQuery,
  compareWithEngine,
  type DynamicLease,
  dynamicConfigQuery,
  dynamicLeasesQuery,
  MASKED,
  type PathLeases,
  type ProviderInfo,
  useCheckout,
  useDeleteConfig,
  useGenerateCa,
  useRevokeDynamicLease,
  useSaveConfig,
  useValidateConfig,
} from "../../../api/dynamic";
import { Badge } from "../../../components/badge";
import { ConfirmDialog } from "../../../components/confirm-dialog";
import { DetailSection } from "../../../components/detail-section";
import { Dialog, DialogActions } from "../../../components/dialog";
import { Fact } from "../../../components/fact";
import { FormError } from "../../../components/form-error";
import { QueryState } from "../../../components/query-state";
import { formatDateTime } from "../../../lib/format";
import { Link } from "../../../lib/router";
import { toast } from "../../../lib/toast";
import { CaKeyPanel } from "./ca-key-panel";
import { CheckoutForm } from "./checkout-form";
import { ConfigForm } from "./config-form";
import { CredentialView } from "./credential-view";
import { DynamicLeaseTable } from "./dynamic-lease-table";
import { describeValue, fieldLabel } from "./fields";

type Open =
  | { kind: "edit" }
  | { kind: "checkout" }
  | { kind: "issued"; outcome: CheckoutOutcome }
  | { kind: "revoke"; lease: DynamicLease }
  | { kind: "replace-ca" }
  | { kind: "delete" }
  | null;

interface Props {
  path: string;
  providers: readonly ProviderInfo[];
  onDeleted: () => void;
}

/** One configuration: its settings, connection test, checkout, the SSH CA and its leases. */
export function ConfigDetail({ path, providers, onDeleted }: Props) {
  const config = useQuery(dynamicConfigQuery(path));
  return (
    <section className="card dynamic-detail" aria-labelledby="dynamic-detail-title">
      <QueryState query={config} what="the configuration">
        {(view) => (
          <Detail
            key={view.path}
            view={view}
            provider={providers.find((p) => p.type === view.provider_type)}
            providers={providers}
            onDeleted={onDeleted}
          />
        )}
      </QueryState>
    </section>
  );
}

function Detail({
  view,
  provider,
  providers,
  onDeleted,
}: {
  view: ConfigView;
  provider: ProviderInfo | undefined;
  providers: readonly ProviderInfo[];
  onDeleted: () => void;
}) {
  const { path } = view;
  const isSsh = view.provider_type === "ssh-cert";
  const [open, setOpen] = useState<Open>(null);
  const [showRevoked, setShowRevoked] = useState(false);
  const [engine, setEngine] = useState<{ pending: boolean; result?: PathLeases; error?: unknown }>({
    pending: false,
  });
  const leases = useQuery(dynamicLeasesQuery(path, showRevoked));
  const ca = useQuery({ ...caPublicKeyQuery(path), enabled: isSsh });
  const validate = useValidateConfig();
  const save = useSaveConfig();
  const checkout = useCheckout();
  const revoke = useRevokeDynamicLease();
  const replaceCa = useGenerateCa();
  const remove = useDeleteConfig();

  const close = () => {
    setOpen(null);
    for (const m of [save, checkout, revoke, replaceCa, remove]) m.reset();
  };

  const compare = async () => {
    setEngine({ pending: true });
    try {
      setEngine({ pending: false, result: await compareWithEngine(path) });
    } catch (error) {
      setEngine({ pending: false, error });
    }
  };

  const fields = (provider?.fields ?? []).filter((f) => !f.derived);
  const liveCount = (leases.data ?? []).filter((l) => l.status !== "revoked" && l.status !== "failed").length;

  return (
    <div className="stack">
      <div className="card-header">
        <div className="dynamic-title">
          <h2 id="dynamic-detail-title" className="card-title mono">
            {path}
          </h2>
          <div className="chips">
            <Badge tone="accent">{provider?.label ?? view.provider_type}</Badge>
            {view.revocation === "expiry" ? (
              <Badge tone="warning" title="Revoking stops nothing already issued: access ends at expiry">
                ends at expiry
              </Badge>
            ) : (
              <Badge tone="info">revoke ends access at once</Badge>
            )}
            {view.renewable ? <Badge>renewable</Badge> : null}
          </div>
        </div>
        <div className="button-row">
          <button
            type="button"
            className="button button-primary button-small"
            onClick={() => setOpen({ kind: "checkout" })}
          >
            Check out
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            disabled={validate.isPending}
            onClick={() => validate.mutate(path)}
          >
            {validate.isPending ? "Testing…" : isSsh ? "Test CA key" : "Test connection"}
          </button>
          <button
            type="button"
            className="button button-secondary button-small"
            onClick={() => setOpen({ kind: "edit" })}
          >
            Edit
          </button>
          <button
            type="button"
            className="button button-danger-ghost button-small"
            onClick={() => setOpen({ kind: "delete" })}
          >
            Delete
          </button>
        </div>
      </div>

      {validate.data ? (
        validate.data.ok ? (
          <div className="callout callout-success" role="status">
            {isSsh
              ? "The CA private key can be read and signs certificates."
              : "Connection works: the admin credentials can manage users."}
          </div>
        ) : (
          <div className="callout callout-danger" role="status">
            <strong>Test failed.</strong> {validate.data.error}
          </div>
        )
      ) : null}
      <FormError error={validate.error} />

      <dl className="facts dynamic-facts">
        {fields.map((f) => {
          const value = view.config[f.name];
          return (
            <Fact key={f.name} label={fieldLabel(f.name)}>
              {f.sensitive ? <SetBadge set={value === MASKED} /> : describeValue(value)}
            </Fact>
          );
        })}
        <Fact label="Updated">{`${formatDateTime(view.updated_at)} by ${view.updated_by}`}</Fact>
      </dl>

      {isSsh ? (
        <DetailSection
          id="ca-title"
          title="Certificate authority"
          aside={
            <button
              type="button"
              className="button button-ghost button-small"
              onClick={() => setOpen({ kind: "replace-ca" })}
            >
              Generate a new CA key…
            </button>
          }
        >
          <QueryState query={ca} what="the CA public key">
            {(key) => <CaKeyPanel ca={key} />}
          </QueryState>
        </DetailSection>
      ) : null}

      <DetailSection
        id="leases-title"
        title={<>Leases {leases.data ? <span className="count-pill">{liveCount} live</span> : null}</>}
        aside={
          <div className="button-row">
            <label className="checkbox">
              <input
                type="checkbox"
                checked={showRevoked}
                onChange={(e) => setShowRevoked(e.target.checked)}
              />
              <span>Show ended</span>
            </label>
            {isSsh ? null : (
              <button
                type="button"
                className="button button-ghost button-small"
                disabled={engine.pending}
                onClick={compare}
              >
                {engine.pending ? "Asking the engine…" : "Compare with the engine"}
              </button>
            )}
          </div>
        }
      >
        {engine.result ? <EngineReport report={engine.result} /> : null}
        <FormError error={engine.error} />
        <QueryState query={leases} what="leases">
          {(list) => (
            <DynamicLeaseTable
              leases={list}
              revocation={view.revocation}
              busyId={revoke.isPending ? (revoke.variables ?? null) : null}
              onRevoke={(lease) => setOpen({ kind: "revoke", lease })}
            />
          )}
        </QueryState>
        <p className="field-hint">
          Dynamic leases also appear on the <Link to="/leases">Leases</Link> page. Expired ones are revoked by
          the reaper; a failed revoke is retried with backoff and stays listed as failing until it succeeds.
        </p>
      </DetailSection>

      {open?.kind === "edit" ? (
        <Dialog title={`Edit ${path}`} onClose={close} wide>
          <ConfigForm
            providers={providers}
            existing={view}
            pending={save.isPending}
            error={save.error}
            onCancel={close}
            onSubmit={(r) =>
              save.mutate(
                { path, provider_type: r.provider_type, config: r.config },
                {
                  onSuccess: () => {
                    toast.success(`${path} saved.`);
                    close();
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "checkout" ? (
        <Dialog title={`Check out ${path}`} onClose={close}>
          <CheckoutForm
            revocation={view.revocation}
            pending={checkout.isPending}
            error={checkout.error}
            onCancel={close}
            onSubmit={(input) =>
              checkout.mutate(
                { path, ...input },
                { onSuccess: (outcome) => setOpen({ kind: "issued", outcome }) },
              )
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "issued" ? (
        <Dialog
          title={open.outcome.kind === "issued" ? `Credential for ${path}` : "Waiting for approval"}
          onClose={close}
          wide={open.outcome.kind === "issued"}
        >
          <div className="form">
            {open.outcome.kind === "issued" ? (
              <CredentialView result={open.outcome.result} />
            ) : (
              <div className="callout callout-info" role="status">
                <p>
                  <strong>A policy requires approval.</strong> Request{" "}
                  <span className="mono">{open.outcome.pending.request_id}</span> waits for an approver until{" "}
                  {formatDateTime(open.outcome.pending.expires_at)}. Once approved, the requester collects the
                  credential from the request.
                </p>
                <p>
                  <Link to="/approvals" onClick={close}>
                    Open Approvals
                  </Link>
                </p>
              </div>
            )}
            <DialogActions>
              <button type="button" className="button button-primary" onClick={close}>
                Done
              </button>
            </DialogActions>
          </div>
        </Dialog>
      ) : null}
      {open?.kind === "revoke" ? (
        <ConfirmDialog
          title={`Revoke ${open.lease.credential_username}?`}
          confirmLabel={open.lease.status === "revoke_failed" ? "Retry revoke" : "Revoke"}
          danger
          pending={revoke.isPending}
          error={revoke.error}
          onClose={close}
          onConfirm={() =>
            revoke.mutate(open.lease.id, {
              onSuccess: () => {
                toast.success(`${open.lease.credential_username} revoked.`);
                close();
              },
            })
          }
        >
          {view.revocation === "expiry" ? (
            <p>
              The lease ends now, but an SSH certificate cannot be withdrawn: it stays valid until{" "}
              {formatDateTime(open.lease.expires_at)}.
            </p>
          ) : (
            <p>
              Gatehouse removes the user from the engine now and ends its sessions. If the engine cannot be
              reached, the lease is marked as failing and retried.
            </p>
          )}
        </ConfirmDialog>
      ) : null}
      {open?.kind === "replace-ca" ? (
        <ConfirmDialog
          title="Replace the CA key?"
          confirmLabel="Generate new CA key"
          danger
          pending={replaceCa.isPending}
          error={replaceCa.error}
          onClose={close}
          onConfirm={() =>
            replaceCa.mutate(
              { path, replace: true },
              {
                onSuccess: () => {
                  toast.success("New CA key generated. Install its public key on your hosts.");
                  close();
                },
              },
            )
          }
        >
          <p>
            Hosts trust certificates only from the CA public key they hold: until each host has the new one,
            new certificates are refused there. Certificates already issued stay valid until they expire.
          </p>
        </ConfirmDialog>
      ) : null}
      {open?.kind === "delete" ? (
        <ConfirmDialog
          title={`Delete ${path}?`}
          confirmLabel="Delete configuration"
          danger
          pending={remove.isPending}
          error={remove.error}
          onClose={close}
          onConfirm={() =>
            remove.mutate(path, {
              onSuccess: (r) => {
                toast.success(
                  r.revoked_leases > 0
                    ? `${path} deleted; ${r.revoked_leases} lease(s) revoked.`
                    : `${path} deleted.`,
                );
                close();
                onDeleted();
              },
            })
          }
        >
          <p>
            Every live lease of <strong className="mono">{path}</strong> is revoked first; if any revoke
            fails, the configuration is kept so the retries can finish.
          </p>
        </ConfirmDialog>
      ) : null}
    </div>
  );
}

/** A sensitive field's value is never sent back: only whether one is stored. */
function SetBadge({ set }: { set: boolean }) {
  return set ? <Badge tone="success">set</Badge> : <Badge>not set</Badge>;
}

function EngineReport({ report }: { report: PathLeases }) {
  if (report.provider_error) {
    return (
      <div className="callout callout-danger" role="status">
        <strong>The engine could not be asked.</strong> {report.provider_error}
      </div>
    );
  }
  const unknown = report.unknown_on_provider ?? [];
  return (
    <div className={unknown.length ? "callout callout-warning" : "callout callout-success"} role="status">
      The engine holds {report.provider_active?.length ?? 0} Gatehouse user(s).{" "}
      {unknown.length
        ? `Without a live lease here: ${unknown.join(", ")} (possibly from another path on the same server).`
        : "Every one of them has a live lease."}
    </div>
  );
}
