import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { isLeaseActive, type Lease, leasesQuery, useRenewLease, useRevokeLease } from "../../api/leases";
import { ConfirmDialog } from "../../components/confirm-dialog";
import { Dialog } from "../../components/dialog";
import { LiveIndicator } from "../../components/live-indicator";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { useNow } from "../../lib/clock";
import { toast } from "../../lib/toast";
import { LeaseTable } from "./components/lease-table";
import { RenewForm } from "./components/renew-form";

type Open = { kind: "renew" | "revoke"; lease: Lease } | null;

export function LeasesPage() {
  const [history, setHistory] = useState(false);
  const leases = useQuery(leasesQuery(history));
  const [open, setOpen] = useState<Open>(null);
  const renew = useRenewLease();
  const revoke = useRevokeLease();
  const switchId = useId();
  const now = useNow();
  const close = () => {
    renew.reset();
    revoke.reset();
    setOpen(null);
  };
  const activeCount = (leases.data ?? []).filter((l) => isLeaseActive(l, now)).length;

  return (
    <>
      <PageHeader
        title="Leases"
        description="Time-limited hand-outs of secrets to agents and people. Global admins see every lease."
        actions={<LiveIndicator />}
      />
      <section className="card" aria-labelledby="leases-title">
        <div className="card-header">
          <h2 id="leases-title" className="card-title">
            {history ? "All leases" : "Active leases"}
            {leases.data ? (
              <span className="count-pill">{history ? leases.data.length : activeCount}</span>
            ) : null}
          </h2>
          <label className="switch-label" htmlFor={switchId}>
            <input
              id={switchId}
              type="checkbox"
              role="switch"
              aria-checked={history}
              className="switch"
              checked={history}
              onChange={(e) => setHistory(e.target.checked)}
            />
            Show expired and revoked
          </label>
        </div>
        <QueryState query={leases} what="leases">
          {(list) =>
            list.length === 0 ? (
              <p className="empty">
                {history
                  ? "No leases yet."
                  : "No active leases. Agents check out secrets with POST /v1/lease/<path>."}
              </p>
            ) : (
              <LeaseTable
                leases={list}
                onRenew={(lease) => setOpen({ kind: "renew", lease })}
                onRevoke={(lease) => setOpen({ kind: "revoke", lease })}
              />
            )
          }
        </QueryState>
      </section>

      {open?.kind === "renew" ? (
        <Dialog
          title={`Renew lease on ${open.lease.path}`}
          description={`Held by ${open.lease.identity}. The new TTL counts from now.`}
          onClose={close}
        >
          <RenewForm
            initialTtl={open.lease.ttl_seconds}
            pending={renew.isPending}
            error={renew.error}
            onCancel={close}
            onSubmit={(ttl) =>
              renew.mutate(
                { id: open.lease.id, ttl },
                {
                  onSuccess: () => {
                    toast.success(`Renewed the lease on ${open.lease.path}.`);
                    close();
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "revoke" ? (
        <ConfirmDialog
          title={`Revoke lease on ${open.lease.path}?`}
          confirmLabel="Revoke lease"
          danger
          pending={revoke.isPending}
          error={revoke.error}
          onClose={close}
          onConfirm={() =>
            revoke.mutate(open.lease.id, {
              onSuccess: () => {
                toast.success(`Revoked the lease on ${open.lease.path}.`);
                close();
              },
            })
          }
        >
          <p>
            <span className="mono">{open.lease.identity}</span> loses this lease at once. The value it already
            received cannot be taken back: rotate the secret if it may have leaked.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
