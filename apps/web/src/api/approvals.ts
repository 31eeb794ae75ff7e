import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./eden";
import { leaseKeys } from "./leases";

export type RequestStatus = "pending" | "approved" | "denied" | "expired";

const fetchRequests = (status: RequestStatus, signal?: AbortSignal) =>
  unwrap(api.v1.requests.get({ query: { status, limit: 200 }, fetch: { signal } }));

export type ApprovalRequest = Awaited<ReturnType<typeof fetchRequests>>["requests"][number];

export const approvalKeys = {
  all: ["approvals"] as const,
  lists: () => [...approvalKeys.all, "list"] as const,
  list: (status: RequestStatus) => [...approvalKeys.lists(), status] as const,
  detail: (id: string) => [...approvalKeys.all, "detail", id] as const,
};

export const approvalsQuery = (status: RequestStatus) =>
  queryOptions({
    queryKey: approvalKeys.list(status),
    queryFn: ({ signal }) => fetchRequests(status, signal),
    select: (data) => data.requests,
  });

/** One request, long-polling up to `waitSeconds` for a decision (the server caps it at 60). */
export const fetchRequest = (id: string, waitSeconds: number, signal?: AbortSignal) =>
  unwrap(api.v1.requests({ id }).get({ query: { wait: waitSeconds }, fetch: { signal } }));

/** The TTL an approver starts from: what the agent asked for, within the rule's max_ttl. */
export function defaultApprovalTtl(r: Pick<ApprovalRequest, "requested_ttl" | "max_ttl">): number {
  const wanted = r.requested_ttl ?? r.max_ttl ?? 300;
  return r.max_ttl === null ? wanted : Math.min(wanted, r.max_ttl);
}

/** The upper bound of the approve TTL input. */
export const approvalTtlCap = (r: Pick<ApprovalRequest, "max_ttl">) => r.max_ttl ?? 86_400;

function useInvalidateApprovals() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: approvalKeys.all }),
      queryClient.invalidateQueries({ queryKey: leaseKeys.all }),
    ]);
}

export interface ApproveInput {
  id: string;
  ttl: number;
  breakGlass?: { password: string; code?: string };
}

export function useApproveRequest() {
  const invalidate = useInvalidateApprovals();
  return useMutation({
    mutationFn: ({ id, ttl, breakGlass }: ApproveInput) =>
      unwrap(
        api.v1.requests({ id }).approve.post({ ttl, ...(breakGlass ? { break_glass: breakGlass } : {}) }),
      ),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useDenyRequest() {
  const invalidate = useInvalidateApprovals();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason: string }) =>
      unwrap(api.v1.requests({ id }).deny.post({ reason })),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}
