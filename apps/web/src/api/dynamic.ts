// Dynamic secrets (/v1/dynamic*): provider configurations, checkouts and their leases. The `:path`
// routes take the rest of the URL (paths hold slashes), so they go through apiFetch.
import { queryOptions, useMutation, useQueryClient } from "@tanstack/react-query";
import { apiFetch } from "./client";
import { leaseKeys } from "./leases";

export type ProviderType = "postgresql" | "mysql" | "mongodb" | "redis" | "ssh-cert";
export type FieldType = "string" | "integer" | "boolean" | "list" | "text" | "tls";

export interface ProviderField {
  name: string;
  type: FieldType;
  required: boolean;
  /** Stored sealed, shown as `***`; a blank value on save keeps the stored one. */
  sensitive: boolean;
  /** Computed by the server (the SSH CA public key): shown, never sent. */
  derived: boolean;
  default: unknown;
  description: string;
}

export interface ProviderInfo {
  type: ProviderType;
  label: string;
  /** "expiry": a revoke cannot end access early (SSH certificates). */
  revocation: "immediate" | "expiry";
  renewable: boolean;
  fields: ProviderField[];
}

export interface ConfigSummary {
  path: string;
  provider_type: ProviderType;
  /** Non-sensitive settings kept unsealed for lists (host, port, database, principals, …). */
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  created_by: string;
  updated_by: string;
  active_leases: number;
}

export interface ConfigView extends Omit<ConfigSummary, "active_leases"> {
  /** Sensitive fields come back as "***". */
  config: Record<string, unknown>;
  revocation: "immediate" | "expiry";
  renewable: boolean;
}

export type LeaseStatus = "creating" | "active" | "revoking" | "revoke_failed" | "revoked" | "failed";

export interface DynamicLease {
  id: string;
  path: string;
  provider_type: ProviderType;
  identity: string;
  credential_username: string;
  status: LeaseStatus;
  ttl_seconds: number;
  created_at: string;
  expires_at: string;
  expires_in: number;
  revoked: boolean;
  revoked_at: string | null;
  revoke_reason: string | null;
  revoke_attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  approval_request_id: string | null;
}

export interface PathLeases {
  path: string;
  provider_type: ProviderType;
  leases: DynamicLease[];
  /** With ?check=true: the Gatehouse-made users the engine has now, and those with no live lease here. */
  provider_active?: string[];
  unknown_on_provider?: string[];
  provider_error?: string;
}

export interface CheckoutResult {
  lease_id: string;
  path: string;
  provider_type: ProviderType;
  credential: Record<string, unknown>;
  ttl_seconds: number;
  created_at: string;
  expires_at: string;
}

export interface PendingCheckout {
  request_id: string;
  status: "pending";
  expires_at: string;
  message?: string;
}

export type CheckoutOutcome =
  | { kind: "issued"; result: CheckoutResult }
  | { kind: "pending"; pending: PendingCheckout };

export interface CaPublicKey {
  path: string;
  public_key: string;
  sshd_config: string;
  instructions: string;
}

export interface GeneratedCa extends CaPublicKey {
  provider_type: "ssh-cert";
  created: boolean;
  config: Record<string, unknown>;
}

/** `db/prod` → `/v1/dynamic/db/prod`, each segment encoded. */
export const dynamicUrl = (path: string, suffix = "") =>
  `/v1/dynamic/${path.split("/").map(encodeURIComponent).join("/")}${suffix}`;

export const MASKED = "***";

export const dynamicKeys = {
  all: ["dynamic"] as const,
  providers: () => [...dynamicKeys.all, "providers"] as const,
  configs: () => [...dynamicKeys.all, "configs"] as const,
  config: (path: string) => [...dynamicKeys.all, "config", path] as const,
  leases: (path: string, includeRevoked: boolean) =>
    [...dynamicKeys.all, "leases", path, includeRevoked ? "all" : "live"] as const,
  caKey: (path: string) => [...dynamicKeys.all, "ca", path] as const,
};

export const providersQuery = () =>
  queryOptions({
    queryKey: dynamicKeys.providers(),
    queryFn: ({ signal }) =>
      apiFetch<{ providers: ProviderType[]; details: ProviderInfo[] }>(
        "GET",
        "/v1/dynamic/providers",
        undefined,
        { signal },
      ),
    select: (data) => data.details,
    staleTime: Number.POSITIVE_INFINITY,
  });

export const dynamicConfigsQuery = () =>
  queryOptions({
    queryKey: dynamicKeys.configs(),
    queryFn: ({ signal }) =>
      apiFetch<{ configs: ConfigSummary[] }>("GET", "/v1/dynamic", undefined, { signal }),
    select: (data) => data.configs,
    // The page explains a 403 itself (configurations are for global admins).
    meta: { inlineError: true },
  });

export const dynamicConfigQuery = (path: string) =>
  queryOptions({
    queryKey: dynamicKeys.config(path),
    queryFn: ({ signal }) => apiFetch<ConfigView>("GET", dynamicUrl(path), undefined, { signal }),
    meta: { inlineError: true },
  });

export const dynamicLeasesQuery = (path: string, includeRevoked = false) =>
  queryOptions({
    queryKey: dynamicKeys.leases(path, includeRevoked),
    queryFn: ({ signal }) =>
      apiFetch<PathLeases>(
        "GET",
        dynamicUrl(path, `/leases${includeRevoked ? "?include_revoked=true" : ""}`),
        undefined,
        { signal },
      ),
    select: (data) => data.leases,
    // Expiry and the reaper's retries change statuses without an action here.
    refetchInterval: 15_000,
    meta: { inlineError: true },
  });

export const caPublicKeyQuery = (path: string) =>
  queryOptions({
    queryKey: dynamicKeys.caKey(path),
    queryFn: ({ signal }) =>
      apiFetch<CaPublicKey>("GET", dynamicUrl(path, "/ca-pubkey"), undefined, { signal }),
    meta: { inlineError: true },
  });

/** Live leases on the engine compared with Gatehouse's list (asks the provider). */
export const compareWithEngine = (path: string) =>
  apiFetch<PathLeases>("GET", dynamicUrl(path, "/leases?check=true"));

function useInvalidateDynamic() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: dynamicKeys.all }),
      // Dynamic leases are listed on the Leases page too.
      queryClient.invalidateQueries({ queryKey: leaseKeys.all }),
    ]);
}

export interface SaveConfigInput {
  path: string;
  provider_type: ProviderType;
  config: Record<string, unknown>;
}

export function useSaveConfig() {
  const invalidate = useInvalidateDynamic();
  return useMutation({
    mutationFn: (input: SaveConfigInput) => apiFetch<ConfigView>("POST", "/v1/dynamic", input),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useDeleteConfig() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (path: string) =>
      apiFetch<{ deleted: true; path: string; revoked_leases: number }>("DELETE", dynamicUrl(path)),
    meta: { inlineError: true },
    onSuccess: (_r, path) => {
      queryClient.removeQueries({ queryKey: dynamicKeys.config(path) });
      queryClient.removeQueries({ queryKey: [...dynamicKeys.all, "leases", path] });
      queryClient.removeQueries({ queryKey: dynamicKeys.caKey(path) });
      return Promise.all([
        queryClient.invalidateQueries({ queryKey: dynamicKeys.configs() }),
        queryClient.invalidateQueries({ queryKey: leaseKeys.all }),
      ]);
    },
  });
}

/** Tests the saved configuration's connection (admin credentials, permissions). */
export function useValidateConfig() {
  return useMutation({
    mutationFn: (path: string) =>
      apiFetch<{ ok: boolean; error?: string }>("POST", dynamicUrl(path, "/validate")),
    meta: { inlineError: true },
  });
}

export interface GenerateCaInput {
  path: string;
  config?: Record<string, unknown>;
  replace?: boolean;
}

export function useGenerateCa() {
  const invalidate = useInvalidateDynamic();
  return useMutation({
    mutationFn: (input: GenerateCaInput) =>
      apiFetch<GeneratedCa>("POST", "/v1/dynamic/generate-ca-keypair", input),
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

const isPending = (body: unknown): body is PendingCheckout =>
  typeof body === "object" &&
  body !== null &&
  (body as { status?: unknown }).status === "pending" &&
  typeof (body as { request_id?: unknown }).request_id === "string";

export function useCheckout() {
  const invalidate = useInvalidateDynamic();
  return useMutation({
    mutationFn: async ({
      path,
      ttl,
      reason,
    }: {
      path: string;
      ttl?: number;
      reason?: string;
    }): Promise<CheckoutOutcome> => {
      const body = await apiFetch<CheckoutResult | PendingCheckout>("POST", dynamicUrl(path, "/checkout"), {
        ...(ttl === undefined ? {} : { ttl }),
        ...(reason ? { reason } : {}),
      });
      return isPending(body) ? { kind: "pending", pending: body } : { kind: "issued", result: body };
    },
    meta: { inlineError: true },
    onSuccess: invalidate,
  });
}

export function useRevokeDynamicLease() {
  const invalidate = useInvalidateDynamic();
  return useMutation({
    mutationFn: (id: string) =>
      apiFetch<{ revoked: true; id: string }>("DELETE", `/v1/dynamic/lease/${encodeURIComponent(id)}`),
    meta: { inlineError: true },
    // A failed revoke is recorded as revoke_failed: refetch either way so the row shows it.
    onSettled: invalidate,
  });
}
