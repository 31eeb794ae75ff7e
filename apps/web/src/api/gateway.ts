// The MCP gateway (/v1/mcp/servers*, /v1/mcp/filters): upstream servers, their tools (hide, rename,
// re-describe), test starts, recent calls and the content filters. Global admins only.

import type { FilterKind, FilterMode, FilterOverrides, FilterSettings } from "@gatehouse/core/filters";
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "./client";

export type { FilterKind, FilterMode, FilterOverrides, FilterSettings } from "@gatehouse/core/filters";
export type Transport = "stdio" | "http";
export type SandboxMode = "bubblewrap" | "user" | "none";
export type UpstreamState = "stopped" | "starting" | "running" | "backoff";

export interface UpstreamStatus {
  state: UpstreamState;
  pid: number | null;
  started_at: string | null;
  restarts: number;
  failures: number;
  next_start_in?: number | null;
  last_error: string | null;
  in_flight?: number;
  server_info?: { name: string; version: string } | null;
  /** Running with an older registration: restarted on next use. */
  stale?: boolean;
}

export interface McpServerView {
  name: string;
  transport: Transport;
  description: string | null;
  enabled: boolean;
  // stdio
  command?: string;
  args?: string[];
  /** Variable names with their values masked as "***". */
  env?: Record<string, string>;
  read_only_paths?: string[];
  network?: boolean;
  // http
  url?: string;
  /** Header names with their values masked as "***". */
  headers?: Record<string, string>;
  sandbox: SandboxMode | null;
  secret_refs: string[];
  timeout_seconds: number;
  /** This server's overrides of the global filters. */
  filters: FilterOverrides | null;
  effective_filters: FilterSettings;
  tool_count: number | null;
  tools_listed_at: string | null;
  status: UpstreamStatus;
  created_at: string | null;
  updated_at: string | null;
  created_by: string;
  updated_by: string;
}

export interface SandboxSummary {
  mode: SandboxMode;
  setting: string;
  detail: string;
}

export interface McpTool {
  /** The upstream's own name (the tool-manager key and the policy path's last segment). */
  name: string;
  /** `server__tool` (or `server__rename`) as agents see it. */
  exposed_name: string;
  policy_path: string;
  title: string | null;
  /** What agents see: the custom description, else the upstream's (withheld if it looked poisoned). */
  description: string | null;
  upstream_description: string | null;
  hidden: boolean;
  rename: string | null;
  custom_description: string | null;
  /** Injection families found in the upstream's own description. */
  flagged: string[];
  /** Hidden by the injection filter (block mode), not by an admin. */
  withheld: boolean;
  input_schema: unknown;
  annotations: unknown;
}

export interface TestResult {
  ok: boolean;
  name: string;
  duration_ms: number;
  sandbox: SandboxMode | null;
  server_info: { name: string; version: string } | null;
  tools: McpTool[];
  status: UpstreamStatus;
}

export interface FilterActionRecord {
  filter: FilterKind;
  type: string;
  action: "block" | "redact" | "audit";
  count: number;
  direction?: string;
}

export interface McpCall {
  timestamp: string;
  identity: string;
  source_ip: string | null;
  request_id: string | null;
  tool: string | null;
  exposed_name: string | null;
  outcome: string | null;
  result: string | null;
  success: boolean;
  duration_ms: number | null;
  argument_bytes: number | null;
  result_bytes: number | null;
  filters: FilterActionRecord[];
  relayed: string[];
  error_code: string | null;
}

export interface FiltersView {
  filters: FilterSettings;
  defaults: FilterSettings;
  modes: FilterMode[];
  pii_types: string[];
  injection_types: string[];
}

export interface ServerInput {
  name?: string;
  transport?: Transport;
  description?: string | null;
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
  read_only_paths?: string[];
  network?: boolean;
  timeout_seconds?: number;
  enabled?: boolean;
  filters?: FilterOverrides | null;
}

export interface ToolUpdate {
  hidden?: boolean;
  rename?: string | null;
  description?: string | null;
}

/** Env and header values come back as this; sent back unchanged, the stored value is kept. */
export const MASKED = "***";

const serverUrl = (name: string, suffix = "") => `/v1/mcp/servers/${encodeURIComponent(name)}${suffix}`;

export const gatewayKeys = {
  all: ["gateway"] as const,
  servers: () => [...gatewayKeys.all, "servers"] as const,
  server: (name: string) => [...gatewayKeys.all, "server", name] as const,
  tools: (name: string) => [...gatewayKeys.all, "tools", name] as const,
  calls: (name: string) => [...gatewayKeys.all, "calls", name] as const,
  filters: () => [...gatewayKeys.all, "filters"] as const,
};

export const mcpServersQuery = () =>
  queryOptions({
    queryKey: gatewayKeys.servers(),
    queryFn: ({ signal }) =>
      apiFetch<{ servers: McpServerView[]; sandbox: SandboxSummary }>("GET", "/v1/mcp/servers", undefined, {
        signal,
      }),
    // The page explains a 403 itself (the gateway is for global admins).
    meta: { inlineError: true },
  });

export const mcpServerQuery = (name: string) =>
  queryOptions({
    queryKey: gatewayKeys.server(name),
    queryFn: ({ signal }) => apiFetch<McpServerView>("GET", serverUrl(name), undefined, { signal }),
    // Lazy starts, crashes and restarts change the status without an action here.
    refetchInterval: 15_000,
    meta: { inlineError: true },
  });

export const mcpToolsQuery = (name: string) =>
  queryOptions({
    queryKey: gatewayKeys.tools(name),
    queryFn: ({ signal }) =>
      apiFetch<{ server: string; tools: McpTool[] }>("GET", serverUrl(name, "/tools"), undefined, { signal }),
    select: (data) => data.tools,
    // Listing tools may start the server; a failure is shown in the tools section.
    retry: false,
    meta: { inlineError: true },
  });

export const mcpCallsQuery = (name: string, limit = 50) =>
  queryOptions({
    queryKey: gatewayKeys.calls(name),
    queryFn: ({ signal }) =>
      apiFetch<{ server: string; calls: McpCall[] }>(
        "GET",
        serverUrl(name, `/calls?limit=${limit}`),
        undefined,
        {
          signal,
        },
      ),
    select: (data) => data.calls,
    refetchInterval: 15_000,
    meta: { inlineError: true },
  });

export const mcpFiltersQuery = () =>
  queryOptions({
    queryKey: gatewayKeys.filters(),
    queryFn: ({ signal }) => apiFetch<FiltersView>("GET", "/v1/mcp/filters", undefined, { signal }),
    meta: { inlineError: true },
  });

function useInvalidateGateway() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: gatewayKeys.all });
}

export function useCreateServer() {
  const invalidate = useInvalidateGateway();
  return useMutation({
    mutationFn: (input: ServerInput & { name: string; transport: Transport }) =>
      apiFetch<McpServerView>("POST", "/v1/mcp/servers", input),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useUpdateServer() {
  const invalidate = useInvalidateGateway();
  return useMutation({
    mutationFn: ({ name, input }: { name: string; input: ServerInput }) =>
      apiFetch<McpServerView>("PUT", serverUrl(name), input),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useDeleteServer() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => apiFetch<{ deleted: true; name: string }>("DELETE", serverUrl(name)),
    meta: { inlineError: true },
    onSuccess: (_r, name) => {
      for (const key of [gatewayKeys.server(name), gatewayKeys.tools(name), gatewayKeys.calls(name)])
        queryClient.removeQueries({ queryKey: key });
      return queryClient.invalidateQueries({ queryKey: gatewayKeys.servers() });
    },
  });
}

/** Starts the server afresh and lists its tools (502 with the reason when it cannot start). */
export function useTestServer() {
  const invalidate = useInvalidateGateway();
  return useMutation({
    mutationFn: (name: string) => apiFetch<TestResult>("POST", serverUrl(name, "/test")),
    meta: { inlineError: true },
    // A failed start is recorded in the status too.
    onSettled: invalidate,
  });
}

export function useUpdateTool() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ server, tool, update }: { server: string; tool: string; update: ToolUpdate }) =>
      apiFetch<McpTool>("PUT", serverUrl(server, `/tools/${encodeURIComponent(tool)}`), update),
    meta: { inlineError: true },
    onSuccess: (_r, { server }) => queryClient.invalidateQueries({ queryKey: gatewayKeys.tools(server) }),
  });
}

export function usePutFilters() {
  const invalidate = useInvalidateGateway();
  return useMutation({
    mutationFn: (filters: FilterOverrides) => apiFetch<FiltersView>("PUT", "/v1/mcp/filters", filters),
    meta: { inlineError: true },
    // Every server's effective filters follow the global ones.
    onSuccess: invalidate,
  });
}
