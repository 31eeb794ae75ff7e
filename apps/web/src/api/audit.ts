import { keepPreviousData, queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { api, unwrap } from "./eden";

/** The list filters, as the form holds them (empty string = no filter). */
export interface AuditFilters {
  identity: string;
  action: string;
  path: string;
  /** `datetime-local` values, read in the browser's time zone. */
  since: string;
  until: string;
  outcome: string;
}

export const EMPTY_AUDIT_FILTERS: AuditFilters = {
  identity: "",
  action: "",
  path: "",
  since: "",
  until: "",
  outcome: "",
};

export const AUDIT_OUTCOMES = ["success", "denied", "failure", "error", "pending", "expired"] as const;

const localToIso = (value: string) => {
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString();
};

/** The query parameters the server takes: only the filters that are set, times as ISO-8601. */
export function auditQueryParams(filters: AuditFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of ["identity", "action", "path", "outcome"] as const) {
    const value = filters[key].trim();
    if (value) out[key] = value;
  }
  if (filters.since) out.since = localToIso(filters.since);
  if (filters.until) out.until = localToIso(filters.until);
  return out;
}

const fetchAudit = (params: Record<string, string>, signal?: AbortSignal) =>
  unwrap(api.v1.audit.get({ query: params, fetch: { signal } }));

export type AuditPage = Awaited<ReturnType<typeof fetchAudit>>;
export type AuditEntry = AuditPage["entries"][number];

export const auditKeys = {
  all: ["audit"] as const,
  lists: () => [...auditKeys.all, "list"] as const,
  list: (params: Record<string, string>) => [...auditKeys.lists(), params] as const,
  retention: () => [...auditKeys.all, "retention"] as const,
  count: (params: Record<string, string>) => [...auditKeys.all, "count", params] as const,
};

export const auditQuery = (
  filters: AuditFilters,
  page: { limit: number; beforeSeq?: number | null } = { limit: 50 },
) => {
  const params: Record<string, string> = { ...auditQueryParams(filters), limit: String(page.limit) };
  if (page.beforeSeq) params.before_seq = String(page.beforeSeq);
  return queryOptions({
    queryKey: auditKeys.list(params),
    queryFn: ({ signal }) => fetchAudit(params, signal),
    placeholderData: keepPreviousData,
  });
};

/** The newest `cap` entries since `sinceIso`. */
export const auditSinceQuery = (sinceIso: string, cap: number) => {
  const params = { since: sinceIso, limit: String(cap) };
  return queryOptions({
    queryKey: auditKeys.list(params),
    queryFn: ({ signal }) => fetchAudit(params, signal),
  });
};

export const auditExportUrl = (filters: AuditFilters, format: "json" | "jsonl" | "csv") =>
  `/v1/audit/export?${new URLSearchParams({ ...auditQueryParams(filters), format })}`;

/** Client-side match of a live-tail entry against the list's filters (the server's semantics). */
export function matchesAuditFilters(entry: AuditEntry, filters: AuditFilters): boolean {
  const p = auditQueryParams(filters);
  if (p.identity && entry.identity !== p.identity) return false;
  if (p.action && entry.action !== p.action) return false;
  if (p.path && !(entry.path ?? "").startsWith(p.path)) return false;
  if (p.outcome && entry.outcome !== p.outcome) return false;
  const ts = new Date(entry.timestamp).getTime();
  if (p.since && ts < new Date(p.since).getTime()) return false;
  if (p.until && ts > new Date(p.until).getTime()) return false;
  return true;
}

/** The `audit` SSE event carries the writer's row; this maps it to the list's entry shape. */
export function entryFromLive(data: Record<string, unknown>): AuditEntry | null {
  const seq = data.seq;
  if (typeof seq !== "number" || typeof data.action !== "string" || typeof data.identity !== "string")
    return null;
  const str = (v: unknown) => (typeof v === "string" ? v : null);
  return {
    id: seq,
    timestamp: str(data.timestamp) ?? new Date().toISOString(),
    identity: data.identity,
    action: data.action,
    path: str(data.path),
    lease_id: str(data.leaseId),
    source_ip: str(data.sourceIp),
    metadata:
      typeof data.metadata === "object" && data.metadata !== null
        ? (data.metadata as Record<string, unknown>)
        : null,
    success: data.success === true,
    outcome: str(data.outcome) ?? (data.success === true ? "success" : "failure"),
    request_id: str(data.requestId),
  };
}

export const retentionQuery = () =>
  queryOptions({
    queryKey: auditKeys.retention(),
    queryFn: ({ signal }) => unwrap(api.v1.audit.retention.get({ fetch: { signal } })),
  });

export function useSetRetention() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (days: number) => unwrap(api.v1.audit.retention.post({ retention_days: days })),
    meta: { inlineError: true },
    onSuccess: (data) => queryClient.setQueryData(auditKeys.retention(), data),
  });
}

export function usePurgeAudit() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.v1.audit.purge.post({})),
    meta: { inlineError: true },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: auditKeys.all }),
  });
}

export function useVerifyAudit() {
  return useMutation({
    mutationFn: () => unwrap(api.v1.audit.verify.post()),
    meta: { inlineError: true },
  });
}

/** How many entries there are since `sinceIso`, and the newest id counted (live entries add on top). */
export const auditCountQuery = (sinceIso: string) => {
  const params = { since: sinceIso };
  return queryOptions({
    queryKey: auditKeys.count(params),
    queryFn: ({ signal }) => unwrap(api.v1.audit.count.get({ query: params, fetch: { signal } })),
  });
};
