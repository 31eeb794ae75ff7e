import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "./client";
import { api, unwrap } from "./eden";

const fetchLeases = (includeExpired: boolean, signal?: AbortSignal) =>
  unwrap(
    api.v1.lease.get({
      query: includeExpired ? { include_expired: "true", limit: 500 } : { limit: 500 },
      fetch: { signal },
    }),
  );

export type Lease = Awaited<ReturnType<typeof fetchLeases>>["leases"][number];

export const MIN_LEASE_TTL = 10;
export const MAX_LEASE_TTL = 86_400;

export const leaseKeys = {
  all: ["leases"] as const,
  list: (includeExpired: boolean) => [...leaseKeys.all, "list", includeExpired ? "all" : "active"] as const,
};

export const leasesQuery = (includeExpired = false) =>
  queryOptions({
    queryKey: leaseKeys.list(includeExpired),
    queryFn: ({ signal }) => fetchLeases(includeExpired, signal),
    select: (data) => data.leases,
  });

/** Active unless revoked, past its expiry (the reaper may not have run yet) or, for a dynamic lease, in another state. */
export const isLeaseActive = (lease: Lease, now = Date.now()) =>
  !lease.revoked && (lease.status ?? "active") === "active" && new Date(lease.expires_at).getTime() > now;

function useInvalidateLeases() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: leaseKeys.all });
}

export function useRenewLease() {
  const invalidate = useInvalidateLeases();
  return useMutation({
    mutationFn: ({ id, ttl }: { id: string; ttl: number }) =>
      apiFetch<{ lease: { id: string; expires_at: string; ttl_seconds: number } }>(
        "POST",
        `/v1/lease/${encodeURIComponent(id)}/renew`,
        { ttl },
      ),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useRevokeLease() {
  const invalidate = useInvalidateLeases();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<{ revoked: true; id: string }>("DELETE", `/v1/lease/${encodeURIComponent(id)}`),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}
