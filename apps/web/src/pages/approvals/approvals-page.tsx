import { useQuery } from "@tanstack/react-query";
import { type KeyboardEvent, useEffect, useId, useRef, useState } from "react";
import {
  type ApprovalRequest,
  approvalsQuery,
  type RequestStatus,
  useApproveRequest,
  useDenyRequest,
} from "../../api/approvals";
import { sessionQuery } from "../../api/auth";
import { Dialog } from "../../components/dialog";
import { LiveIndicator } from "../../components/live-indicator";
import { PageHeader } from "../../components/page-header";
import { QueryState } from "../../components/query-state";
import { navigate, useLocation } from "../../lib/router";
import { toast } from "../../lib/toast";
import { ApproveForm } from "./components/approve-form";
import { BreakGlassForm } from "./components/break-glass-form";
import { DenyForm } from "./components/deny-form";
import { HistoryTable } from "./components/history-table";
import { NotificationControl } from "./components/notification-control";
import { RequestCard, requester } from "./components/request-card";

const TABS: { status: RequestStatus; label: string }[] = [
  { status: "pending", label: "Pending" },
  { status: "approved", label: "Approved" },
  { status: "denied", label: "Denied" },
  { status: "expired", label: "Expired" },
];

type Open = { kind: "deny" | "break-glass" | "approve"; request: ApprovalRequest; ttl?: number } | null;

export function ApprovalsPage() {
  const [tab, setTab] = useState<RequestStatus>("pending");
  const base = useId();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const pending = useQuery(approvalsQuery("pending"));
  const wantsNext = useLocation().search.get("approve") === "next";
  useEffect(() => {
    if (wantsNext) setTab("pending");
  }, [wantsNext]);

  const onTabKey = (event: KeyboardEvent, index: number) => {
    const step = event.key === "ArrowRight" ? 1 : event.key === "ArrowLeft" ? -1 : 0;
    if (!step) return;
    event.preventDefault();
    const next = (index + step + TABS.length) % TABS.length;
    setTab(TABS[next]?.status ?? "pending");
    tabRefs.current[next]?.focus();
  };

  return (
    <>
      <PageHeader
        title="Approvals"
        description="Requests waiting for a human decision. New ones appear here as they arrive."
        actions={
          <>
            <LiveIndicator />
            <NotificationControl />
          </>
        }
      />
      <div className="tabs page-tabs" role="tablist" aria-label="Requests by status">
        {TABS.map((t, i) => (
          <button
            key={t.status}
            ref={(el) => {
              tabRefs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${t.status}`}
            aria-controls={`${base}-panel`}
            aria-selected={tab === t.status}
            tabIndex={tab === t.status ? 0 : -1}
            className="tab"
            onClick={() => setTab(t.status)}
            onKeyDown={(e) => onTabKey(e, i)}
          >
            {t.label}
            {t.status === "pending" && pending.data && pending.data.length > 0 ? (
              <span className="count-pill">{pending.data.length}</span>
            ) : null}
          </button>
        ))}
      </div>
      <div id={`${base}-panel`} role="tabpanel" aria-labelledby={`${base}-tab-${tab}`}>
        {tab === "pending" ? <PendingList /> : <History status={tab} />}
      </div>
    </>
  );
}

function PendingList() {
  const pending = useQuery(approvalsQuery("pending"));
  const me = useQuery(sessionQuery()).data?.user;
  const myIdentity = me ? `user:${me.username}` : null;
  const canDecide = me?.role === "admin" || me?.role === "approver";
  const approve = useApproveRequest();
  const deny = useDenyRequest();
  const [open, setOpen] = useState<Open>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, unknown>>({});
  // Requests already listed at first load are not "new"; ones that arrive live are.
  const seen = useRef<Set<string> | null>(null);
  if (pending.data && seen.current === null) seen.current = new Set(pending.data.map((r) => r.request_id));

  const location = useLocation();
  const wantsNext = location.search.get("approve") === "next";
  useEffect(() => {
    if (!wantsNext || !pending.data) return;
    navigate(location.pathname, { replace: true });
    const next = [...pending.data]
      .sort((a, b) => a.created_at.localeCompare(b.created_at))
      .find((r) => r.identity !== myIdentity);
    if (next) setOpen({ kind: "approve", request: next });
    else toast.info("No pending requests to approve.");
  }, [wantsNext, pending.data, location.pathname, myIdentity]);

  const close = () => {
    deny.reset();
    approve.reset();
    setOpen(null);
  };

  const doApprove = (
    request: ApprovalRequest,
    ttl: number,
    breakGlass?: { password: string; code?: string },
  ) => {
    setBusyId(request.request_id);
    setErrors((e) => ({ ...e, [request.request_id]: null }));
    approve.mutate(
      { id: request.request_id, ttl, breakGlass },
      {
        onSuccess: (result) => {
          toast.success(
            `Approved ${requester(request)}’s request for ${request.path} (TTL ${result.approved_ttl ?? ttl} s).`,
          );
          close();
        },
        onError: (error) => {
          if (!open) setErrors((e) => ({ ...e, [request.request_id]: error }));
        },
        onSettled: () => setBusyId(null),
      },
    );
  };

  return (
    <>
      <QueryState query={pending} what="pending requests">
        {(requests) =>
          requests.length === 0 ? (
            <section className="card empty-state">
              <h2 className="card-title">Nothing waiting</h2>
              <p className="muted">
                When a policy rule with <code>approval.required</code> matches an agent’s request, it shows up
                here at once, without a reload.
              </p>
            </section>
          ) : (
            <div className="request-list">
              {requests.map((r) => {
                const own = r.identity === myIdentity;
                return (
                  <RequestCard
                    key={r.request_id}
                    request={r}
                    isNew={seen.current ? !seen.current.has(r.request_id) : false}
                  >
                    {!canDecide ? (
                      <p className="muted">Waiting for an admin or approver.</p>
                    ) : own ? (
                      <div className="own-request">
                        <p className="muted">
                          This is your own request: another admin or approver must decide. A sole admin can
                          use break-glass.
                        </p>
                        <button
                          type="button"
                          className="button button-danger-ghost button-small"
                          onClick={() => setOpen({ kind: "break-glass", request: r })}
                        >
                          Break-glass approve…
                        </button>
                      </div>
                    ) : (
                      <ApproveForm
                        request={r}
                        pending={busyId === r.request_id}
                        error={errors[r.request_id] ?? null}
                        onApprove={(ttl) => doApprove(r, ttl)}
                        onDeny={() => setOpen({ kind: "deny", request: r })}
                      />
                    )}
                  </RequestCard>
                );
              })}
            </div>
          )
        }
      </QueryState>

      {open?.kind === "deny" ? (
        <Dialog
          title={`Deny ${requester(open.request)}’s request`}
          description={`${open.request.kind} on ${open.request.path}`}
          onClose={close}
        >
          <DenyForm
            pending={deny.isPending}
            error={deny.error}
            onCancel={close}
            onSubmit={(reason) =>
              deny.mutate(
                { id: open.request.request_id, reason },
                {
                  onSuccess: () => {
                    toast.success(`Denied ${requester(open.request)}’s request for ${open.request.path}.`);
                    close();
                  },
                },
              )
            }
          />
        </Dialog>
      ) : null}
      {open?.kind === "approve" ? (
        <Dialog
          title={`Approve ${requester(open.request)}’s request?`}
          description={`${open.request.kind} on ${open.request.path}`}
          onClose={close}
        >
          <ApproveForm
            request={open.request}
            pending={approve.isPending}
            error={approve.error}
            onApprove={(ttl) => doApprove(open.request, ttl)}
            onDeny={() => setOpen({ kind: "deny", request: open.request })}
          />
        </Dialog>
      ) : null}
      {open?.kind === "break-glass" ? (
        <Dialog
          title="Break-glass self-approval"
          description={`${open.request.kind} on ${open.request.path}`}
          onClose={close}
        >
          <BreakGlassForm
            pending={approve.isPending}
            error={approve.error}
            onCancel={close}
            onSubmit={(input) =>
              doApprove(
                open.request,
                Math.min(open.request.requested_ttl ?? 300, open.request.max_ttl ?? 86_400),
                input,
              )
            }
          />
        </Dialog>
      ) : null}
    </>
  );
}

function History({ status }: { status: RequestStatus }) {
  const list = useQuery(approvalsQuery(status));
  return (
    <section className="card" aria-label={`${status} requests`}>
      <QueryState query={list} what={`${status} requests`}>
        {(requests) =>
          requests.length === 0 ? (
            <p className="empty">No {status} requests.</p>
          ) : (
            <HistoryTable requests={requests} />
          )
        }
      </QueryState>
    </section>
  );
}
