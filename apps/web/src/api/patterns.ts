// Learned proxy call patterns (GET /v1/proxy/patterns, pin, delete).
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "./client";

export type JsonSchema = Record<string, string>;

export interface Pattern {
  id: string;
  secret_path: string;
  method: string;
  /** The normalized URL: ids, numbers and hashes replaced by placeholders. */
  url_template: string;
  host: string;
  request_headers: string[];
  request_schema: JsonSchema | null;
  response_schema: JsonSchema | null;
  last_status: number | null;
  /** Share of successes over the last 20 outcomes, 0–1. */
  confidence: number;
  /** Distinct agents with a success among those outcomes. */
  verified_by: number;
  success_count: number;
  failure_count: number;
  pinned: boolean;
  created_at: string;
  updated_at: string;
  last_used_at: string;
  /** Admins of the secret only. */
  recent_outcomes?: { agent: string; ok: boolean; at: string }[];
}

export const patternKeys = {
  all: ["patterns"] as const,
  list: (secret: string | null) => [...patternKeys.all, "list", secret ?? "*"] as const,
};

/** Every pattern (global admin), or one secret's (proxy or read on it). */
export const patternsQuery = (secret: string | null) =>
  queryOptions({
    queryKey: patternKeys.list(secret),
    queryFn: ({ signal }) =>
      apiFetch<{ patterns: Pattern[] }>(
        "GET",
        `/v1/proxy/patterns${secret ? `?secret=${encodeURIComponent(secret)}` : ""}`,
        undefined,
        { signal },
      ),
    select: (data) => data.patterns,
    meta: { inlineError: true },
  });

function useInvalidatePatterns() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: patternKeys.all });
}

/** Toggles the pin: a pinned pattern is ranked first and never evicted to make room. */
export function useTogglePin() {
  const invalidate = useInvalidatePatterns();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<{ id: string; pinned: boolean }>("PUT", `/v1/proxy/patterns/${encodeURIComponent(id)}/pin`),
    onSuccess: invalidate,
  });
}

export function useDeletePattern() {
  const invalidate = useInvalidatePatterns();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<{ deleted: boolean; id: string }>("DELETE", `/v1/proxy/patterns/${encodeURIComponent(id)}`),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}
